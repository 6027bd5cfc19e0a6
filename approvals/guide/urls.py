"""Public service guide (办事指南) pages; no login. Included at /guide/ by hall.urls."""

from django.urls import path, register_converter

from approvals.guide import views as guide_views


class ItemCodeConverter:
    """事项编码 as in approvals.models.ITEM_CODE_VALIDATOR, e.g. 44030400-XK-0001."""

    regex = r"\d{8}-[A-Z]{2}-\d{4}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ItemCodeConverter, "itemcode")

app_name = "guide"

urlpatterns = [
    path("", guide_views.catalogue, name="catalogue"),
    path("kiosk/", guide_views.catalogue, {"kiosk": True}, name="kiosk"),
    path("bundle/<slug:code>/", guide_views.bundle_detail, name="bundle"),
    path("<itemcode:code>/", guide_views.item_detail, name="item"),
]
