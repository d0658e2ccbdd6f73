"""How often a Korean word finds its other forms: the analyser's consistency, measured.

Each line of VERBS is one verb in four forms; a search for any form should find a message
written with any other (its terms a subset of the other's). Each noun of NOUNS is searched
alone and looked for in six sentences that use it with particles. Prints the share of
(query, message) pairs that match, and the misses. Run it after upgrading mecab-ko or its
dictionary, or when changing sangdam/search/analyzer.py:

    .venv/bin/python bench/korean_forms.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sangdam.search import analyzer

VERBS = """
꺼져요|꺼졌어요|꺼지는데|꺼집니다
환불했어요|환불해 주세요|환불하고 싶어요|환불됐나요
결제했는데|결제됐어요|결제가 안 되네요|결제하려고
들어왔어요|들어오지 않았어요|들어오나요|들어와요
보냈어요|보내 주세요|보내지 않았어요|보낸
받았어요|받지 못했어요|받을까요|받는데
바꾸고 싶어요|바꿨어요|바꿔 주세요|바꾸려면
취소했어요|취소해 주세요|취소됐나요|취소하고
늦어요|늦었어요|늦는데|늦습니다
멈춰요|멈췄어요|멈춥니다|멈추는데
열려요|열렸어요|열리지 않아요|열립니다
눌렀는데|눌러도|누르면|눌러 주세요
잊어버렸어요|잊어버려서|잊어버린|잊어버립니다
왔어요|와요|오지 않아요|오는데
떠요|떴어요|뜨는데|뜹니다
돼요|됩니다|됐어요|되는데
주문했어요|주문한|주문하고|주문됐나요
배송됐나요|배송해 주세요|배송했다고|배송하는
로그인했는데|로그인하면|로그인해도|로그인됩니다
설치했어요|설치하려고|설치해도|설치됩니다
삭제했어요|삭제해 주세요|삭제됐어요|삭제하고
고장났어요|고장나서|고장난|고장납니다
빠져나갔어요|빠져나갔습니다|빠져나가서|빠져나간
끊겼어요|끊겨요|끊기는데|끊깁니다
느려요|느렸어요|느린데|느립니다
달라요|달랐어요|다른데|다릅니다
비싸요|비쌌어요|비싼데|비쌉니다
쓰고|썼어요|써요|쓰는데
만들었어요|만들어요|만드는데|만듭니다
알려 주세요|알렸어요|알리는|알립니다
도와주세요|도와줬어요|도와주는|도와줍니다
기다렸어요|기다려요|기다리는데|기다립니다
확인했어요|확인해 주세요|확인됐나요|확인하고
연결됐어요|연결이 끊겼어요|연결하려고|연결해 주세요
불편했어요|불편해요|불편한데|불편합니다
"""

NOUNS = """
주문번호 비밀번호 배송조회 고객센터 영업시간 환불요청 카드사 알림톡 스크린샷 문의 동의
회원탈퇴 계정 쿠폰 포인트 적립금 교환 반품 영수증 세금계산서 현금영수증 카카오페이
네이버페이 무통장입금 가상계좌 택배 송장번호 운송장 알림 결제수단 구독 정기결제 해지
위약금 배송지 주소 연락처 휴대폰 인증번호 본인인증 로그인 회원가입 탈퇴 업데이트 오류
에러 앱 화면 버튼 상품 사이즈 색상 품절 재입고 예약 취소 환불 배송 교환권 상품권
기프티콘 마일리지 등급 혜택 이벤트 당첨 쿠폰함 장바구니 찜 리뷰 후기 별점 사진
첨부파일 영상 소리 충전 배터리 액정 수리 서비스센터 보증기간 무상수리 유상수리 출장
설치기사 방문 일정
"""
SENTENCES = (
    "{}이 안 돼요",
    "{}를 확인했어요",
    "{}은 어떻게 하나요?",
    "{}도 문의드립니다",
    "{}에서 오류가 나요",
    "{} 관련해서 연락드려요",
)


def found(query: str, message: str) -> bool:
    """Whether every group of the query has an alternative that occurs in the message's
    terms as a phrase (what the database's full-text index decides)."""
    terms = f" {' '.join(analyzer.terms(message))} "
    groups = analyzer.parse_query(query).groups
    return bool(groups) and all(
        any(f" {' '.join(phrase)} " in terms for phrase in group) for group in groups
    )


def main() -> None:
    pairs = misses = 0
    for line in VERBS.strip().splitlines():
        forms = line.split("|")
        for query in forms:
            for message in forms:
                if query != message:
                    pairs += 1
                    if not found(query, message):
                        misses += 1
                        print(f"  miss: {query} -> {message}")
    print(f"verbs: {pairs - misses}/{pairs} (query, message) pairs found")
    pairs = misses = 0
    for noun in NOUNS.split():
        for sentence in SENTENCES:
            pairs += 1
            if not found(noun, sentence.format(noun)):
                misses += 1
                print(f"  miss: {noun} -> {sentence.format(noun)}")
    print(f"nouns: {pairs - misses}/{pairs} (query, message) pairs found")


if __name__ == "__main__":
    main()
