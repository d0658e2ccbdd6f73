from django.apps import AppConfig


class KakaoChannelConfig(AppConfig):
    """KakaoTalk channels: the chatbot desk's conversation state and translations."""

    name = "sangdam.connectors.kakao"
    label = "kakao_channel"
    verbose_name = "KakaoTalk channel"

    def ready(self) -> None:
        from sangdam.connectors.kakao import listeners  # noqa: F401
