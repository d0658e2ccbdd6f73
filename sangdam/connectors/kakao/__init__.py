"""KakaoTalk: the Open Builder chatbot desk (skill server), 상담톡 and 알림톡."""
