import pytest
from django.core.exceptions import ValidationError

from cms.policies.models import PolicyPage, PolicyStatus


@pytest.mark.django_db
@pytest.mark.parametrize("status", [PolicyStatus.REVISED, PolicyStatus.REPEALED])
def test_revised_or_repealed_policy_must_name_its_replacement(seeded, status):
    policy = PolicyPage.objects.get()
    policy.status = status
    with pytest.raises(ValidationError) as excinfo:
        policy.full_clean()
    assert "替代文件" in str(excinfo.value.message_dict["superseded_by"])


@pytest.mark.django_db
def test_replacement_named_passes_and_is_summarised_for_the_api(seeded):
    old = PolicyPage.objects.get()
    new = PolicyPage(title="新文件", slug="new-policy", issuing_body="浙江省科学技术厅")
    old.get_parent().add_child(instance=new)
    new.save_revision().publish()
    old.status, old.superseded_by = PolicyStatus.REPEALED, new
    old.full_clean()
    assert old.superseded_by_summary == {"id": new.pk, "title": "新文件", "slug": "new-policy"}


@pytest.mark.django_db
def test_effective_date_not_before_issue_date(seeded):
    import datetime

    policy = PolicyPage.objects.get()
    policy.issue_date = datetime.date(2026, 3, 1)
    policy.effective_date = datetime.date(2026, 2, 1)
    with pytest.raises(ValidationError) as excinfo:
        policy.full_clean()
    assert "effective_date" in excinfo.value.message_dict


@pytest.mark.django_db
def test_outline_gives_every_clause_a_stable_anchor(seeded):
    outline = PolicyPage.objects.get().outline
    scope = outline[1]
    assert (scope["anchor"], scope["heading"]) == ("s2", "适用情形")
    grounds = [c for c in scope["children"][1]["children"] if c["kind"] == "clause"]
    assert [c["anchor"] for c in grounds] == [f"s2-2-{n}" for n in range(1, 6)]
    assert grounds[1]["text"].startswith("因技术路线选择失误")


def test_labels_are_chinese_and_names_english():
    fields = {
        f.name: str(f.verbose_name)
        for f in PolicyPage._meta.get_fields()
        if hasattr(f, "verbose_name")
    }
    assert fields["document_number"] == "文号"
    assert fields["issuing_body"] == "发文机关"
    assert str(PolicyPage._meta.verbose_name) == "政策文件"
    assert str(PolicyStatus.DRAFT_FOR_COMMENTS.label) == "征求意见稿"
