"""The site's root page, the portal builds, and the site's identity (its footer's settings)."""

from itertools import count

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Page

from common.addresses import PLAIN_SLUG

from . import gate, preview
from .site_identity import FormatValidator


class HeadlessPage(Page):
    """A page the portal renders: the CMS has no templates; its preview is the portal's own
    rendering of the page as edited (:mod:`cms.core.preview`).

    Every change of its state passes the gate (:mod:`cms.core.gate`); a page type says what
    the gate forbids with the attributes and the method below.
    """

    #: Once live, never unpublished, deleted or moved (withdrawn, corrected or superseded instead).
    permanent_once_public = False
    copyable = True
    kind_en = "page"
    #: Where the portal shows the page, ``{slug}`` filled in; the portal's home by default.
    portal_path = ""
    #: What the CMS names a new page after: ``<prefix>-<n>``, or ``<prefix>`` for a page type
    #: with one page (see :meth:`settle_slug`).
    slug_prefix = "page"
    #: Slugs the portal keeps for its own paths beside pages of this type.
    reserved_slugs: frozenset[str] = frozenset()
    # The CMS, not the editor, names a page in its address: the editor sees the slug only.
    promote_panels = [
        FieldPanel(
            "slug",
            read_only=True,
            heading=_("网址名"),
            help_text=_("由系统生成，门户上的网址由此而来；页面发布后不再改变。"),
        )
    ]

    class Meta:
        abstract = True

    @property
    def preview_modes(self) -> list:
        """The portal's page, for the page types the portal previews (none for a listing)."""
        return preview.modes_for(self)

    def serve_preview(self, request, mode_name):
        return preview.serve(self, request)

    def gate_publish_errors(self, now, *, was_published: bool) -> list:
        """Why this page (as it would be published) may not be published now."""
        return []

    def permissions_for_user(self, user):
        return gate.GatedPagePermissionTester(user, self)

    def save(self, *args, **kwargs):
        if self.permanent_once_public:
            self.expire_at = None  # scheduled expiry would unpublish it
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        gate.ensure_allowed(self, gate.DELETE)
        return super().delete(*args, **kwargs)

    def copy_all_child_relations(self, target, exclude=None):
        """Every copy of a page (Wagtail's copy and alias actions, from the admin or from code,
        through a plain ``Page`` too) copies its child relations first, before writing anything:
        a page that may not be copied is refused here."""
        if errors := gate.change_errors(self, gate.COPY):
            raise gate.GateError(errors)
        return super().copy_all_child_relations(target, exclude=exclude)

    def unpublish(self, *args, **kwargs):
        gate.ensure_allowed(self, gate.UNPUBLISH)
        return super().unpublish(*args, **kwargs)

    # --- the page's address: its slug, and its URL, which is on the portal --------------------

    def portal_address(self) -> str:
        """The page's path on the portal, relative to its base URL."""
        return self.portal_path.format(slug=self.slug)

    def portal_url(self) -> str:
        return f"{settings.PORTAL_BASE_URL}/{self.portal_address()}"

    def get_url_parts(self, request=None):
        """Every URL Wagtail makes of the page is on the portal: ``url``, ``full_url``, the
        admin's 实时查看 button and live links, the workflow e-mails, the API's ``html_url``."""
        parts = super().get_url_parts(request=request)
        if parts is None:
            return None  # in no site
        return (parts[0], settings.PORTAL_BASE_URL, f"/{self.portal_address()}")

    def get_url(self, request=None, current_site=None):
        """The full URL always: the portal is not on the CMS's host."""
        return self.get_full_url(request=request)

    url = property(get_url)

    def serve(self, request, *args, **kwargs):
        """The portal shows the page: its URL on the CMS leads there."""
        return HttpResponseRedirect(self.portal_url())

    def slug_base(self) -> str:
        """What a slug the CMS gives this page is made of."""
        return self.slug_prefix

    def numbered_slugs(self) -> bool:
        """Whether the CMS numbers this page's slug from 1 (``page-1``) or only on a clash."""
        return self.max_count != 1

    def free_slug(self, parent) -> str:
        """The first slug from :meth:`slug_base` that no other child of ``parent`` has and the
        portal does not keep: ``base``, ``base-2``… or, numbered, ``base-1``, ``base-2``…"""
        base = self.slug_base()
        siblings = parent.get_children().filter(slug__startswith=base)
        if self.pk:
            siblings = siblings.exclude(pk=self.pk)
        taken = set(siblings.values_list("slug", flat=True)) | self.reserved_slugs
        numbered = self.numbered_slugs()
        if not numbered and base not in taken:
            return base
        candidates = (f"{base}-{n}" for n in count(1 if numbered else 2))
        return next(slug for slug in candidates if slug not in taken)

    def settle_slug(self) -> None:
        """A page once published keeps the slug it was published with (its portal address must
        not change); a page without one gets :meth:`free_slug`, never one from its title."""
        if self.pk:
            stored = Page.objects.filter(pk=self.pk).values_list("slug", "first_published_at")
            if (row := stored.first()) and row[1] is not None:
                self.slug = row[0]
                return
        if not self.slug and self.path and (parent := self.get_parent()) is not None:
            self.slug = self.free_slug(parent)

    def slug_errors(self) -> list[str]:
        if not PLAIN_SLUG.match(self.slug):
            return [_("网址名只能用小写英文字母、数字和连字符，并以字母或数字开头。")]
        if self.slug in self.reserved_slugs:
            return [_("网址名“%(slug)s”是门户上的列表路径，不能使用。") % {"slug": self.slug}]
        return []

    def full_clean(self, *args, **kwargs):
        self.settle_slug()
        super().full_clean(*args, **kwargs)

    def minimal_clean(self):
        """What saving a draft checks (``full_clean`` is for live pages)."""
        self.settle_slug()
        super().minimal_clean()

    def clean_fields(self, exclude=None):
        """The slug is checked as a field, so only where it is one: never in an editor's form,
        which has no slug (:meth:`settle_slug` makes it)."""
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        checked = self.slug and "slug" not in (exclude or ()) and "slug" not in errors
        if checked and (slug_errors := self.slug_errors()):
            errors["slug"] = slug_errors
        if errors:
            raise ValidationError(errors)


class HomePage(HeadlessPage):
    """The root of the public site; the portal's home page is built from it."""

    introduction = models.TextField(_("首页导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    api_fields = [APIField("introduction")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("首页")
        verbose_name_plural = _("首页")


class PortalBuild(models.Model):
    """One run of the portal build, requested by a publish, a window boundary or by hand."""

    reason = models.CharField(_("原因"), max_length=200)
    requested_at = models.DateTimeField(_("请求时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    succeeded = models.BooleanField(_("成功"), null=True)
    output = models.TextField(_("输出"), blank=True)
    # What the build reported last while it ran (the portal's phase name: cms.core.tasks), and
    # how a build that did not succeed ended (a code of cms.core.tasks.OUTCOMES).
    phase = models.CharField(_("阶段"), max_length=100, blank=True)
    outcome = models.CharField(_("结束原因"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("门户构建")
        verbose_name_plural = _("门户构建")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.requested_at:%Y-%m-%d %H:%M} {self.reason}"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


@register_setting(icon="site", name="site-identity")
class SiteIdentity(BaseSiteSetting):
    """What every portal page's footer carries (政府网站发展指引): the sponsor and its public
    contact details, the site's identifiers and the links to their records. Empty values are not
    shown. Saving asks for a portal rebuild (:mod:`cms.core.signals`), which renders every page
    again with the new footer. Only whoever may publish (审定) may change it: it goes live at once.
    """

    sponsor = models.CharField(
        _("主办单位"),
        max_length=100,
        blank=True,
        help_text=_("网站的主办单位，显示在门户每页的页头和页脚，如“浙江省科学技术厅”。"),
    )
    organizer = models.CharField(
        _("承办单位（联系处室）"),
        max_length=100,
        blank=True,
        help_text=_("负责网站日常运行、受理公众联系的单位或处室，如“浙江省科学技术厅监督评估处”。"),
    )
    address = models.CharField(
        _("通信地址"), max_length=200, blank=True, help_text=_("单位的办公地址，不写个人信息。")
    )
    postcode = models.CharField(
        _("邮政编码"),
        max_length=20,
        blank=True,
        help_text=_("6位数字，如 310006。"),
        validators=[FormatValidator("postcode")],
    )
    phone = models.CharField(
        _("联系电话"),
        max_length=40,
        blank=True,
        help_text=_("单位的办公电话，带区号，如 0571-87654321；不要填写个人手机号码。"),
        validators=[FormatValidator("phone")],
    )
    email = models.CharField(
        _("电子邮箱"),
        max_length=254,
        blank=True,
        help_text=_("单位的公开邮箱，如 office@example.gov.cn。"),
        validators=[FormatValidator("email")],
    )
    office_hours = models.CharField(
        _("办公时间"),
        max_length=100,
        blank=True,
        help_text=_("如“工作日 8:30—12:00，14:30—17:30（法定节假日除外）”。"),
    )
    site_code = models.CharField(
        _("网站标识码"),
        max_length=20,
        blank=True,
        help_text=_(
            "全国政府网站基本信息数据库给本站的10位数字标识码；“我为政府网站找错”的链接带着它。"
        ),
        validators=[FormatValidator("site_code")],
    )
    icp_number = models.CharField(
        _("ICP备案编号"),
        max_length=40,
        blank=True,
        help_text=_(
            "如“浙ICP备12345678号”或“浙ICP备12345678号-1”；链接到工业和信息化部的备案查询。"
        ),
        validators=[FormatValidator("icp_number")],
    )
    public_security_number = models.CharField(
        _("公安机关备案号"),
        max_length=40,
        blank=True,
        help_text=_(
            "如“浙公网安备 33010602000001号”；链接到全国互联网安全管理服务平台上本站的备案信息。"
        ),
        validators=[FormatValidator("public_security_number")],
    )
    conac_url = models.CharField(
        _("党政机关网站标识链接"),
        max_length=300,
        blank=True,
        help_text=_(
            "本站在党政机关网站标识管理系统中的注册信息网址（https://bszs.conac.cn/…）；"
            "填写后页脚显示“党政机关”标识并链接到该网址。"
        ),
        validators=[FormatValidator("conac_url")],
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("sponsor"),
                FieldPanel("organizer"),
                FieldPanel("address"),
                FieldRowPanel([FieldPanel("postcode"), FieldPanel("phone")]),
                FieldPanel("email"),
                FieldPanel("office_hours"),
            ],
            heading=_("主办单位与联系方式"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("site_code"),
                FieldPanel("icp_number"),
                FieldPanel("public_security_number"),
                FieldPanel("conac_url"),
            ],
            heading=_("网站标识与备案信息"),
        ),
    ]

    class Meta:
        verbose_name = _("网站标识与联系方式")
        verbose_name_plural = _("网站标识与联系方式")

    def __str__(self):
        return str(self._meta.verbose_name)
