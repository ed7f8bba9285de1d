"""The read API publishes the guidance page's structure: clause codes with the rules' anchors and
the live policy's texts, the materials as {name, note}, steps, handling bodies, forms; the FAQ."""

import copy

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from wagtail.documents.models import Document

from cms.domain.clauses import EXCLUSIONS, GROUNDS
from cms.domain.programmes import HandlingBody, Programme
from cms.guidance.models import FaqPage, GuidancePage
from cms.policies.models import PolicyPage


def _detail(client, model) -> dict:
    listing = client.get("/api/v3/pages/", {"type": model._meta.label}).json()
    assert listing["count"] == 1
    return client.get(f"/api/v3/pages/{listing['items'][0]['id']}/").json()


def _clause_texts() -> dict[str, str]:
    texts = {}
    for section in PolicyPage.objects.get().outline:
        for sub in section["children"]:
            for clause in sub.get("children", []):
                if clause["kind"] == "clause":
                    texts[clause["anchor"]] = clause["text"]
    return texts


@pytest.mark.django_db
def test_materials_are_a_list_of_name_and_note(seeded, client):
    data = _detail(client, GuidancePage)
    assert data["materials"] == GuidancePage.objects.get().materials_list()
    assert [set(m) for m in data["materials"]] == [{"name", "note"}] * 5
    assert data["materials"][1] == {"name": "情况说明及佐证材料", "note": ""}


@pytest.mark.django_db
def test_grounds_and_exclusions_carry_the_rules_anchors_and_the_policys_texts(seeded, client):
    data = _detail(client, GuidancePage)
    texts = _clause_texts()
    for rows, table in ((data["grounds"], GROUNDS), (data["exclusions"], EXCLUSIONS)):
        assert [r["code"] for r in rows] == list(table)
        for row in rows:
            clause = table[row["code"]]
            assert (row["label"], row["anchor"], row["clause_ref"]) == (
                clause.label, clause.anchor, clause.clause_ref)  # fmt: skip
            assert row["text"] == texts[clause.anchor]
    assert data["policy_summary"]["slug"] == "exemption-policy"


@pytest.mark.django_db
def test_a_clause_edited_on_the_policy_shows_on_the_guidance_not_a_copy(seeded, client):
    policy = PolicyPage.objects.get()
    body = copy.deepcopy(list(policy.body.raw_data))
    grounds = body[1]["value"]["content"][1]["value"]["content"]  # 二（二）: a paragraph, 1..5
    assert grounds[2]["value"]["number"] == "2"
    grounds[2]["value"]["text"] = "因技术路线选择失误导致难以完成预定目标（修订）；"
    policy.body = body
    policy.save_revision().publish()
    row = next(r for r in _detail(client, GuidancePage)["grounds"] if r["code"] == "A2")
    assert row["text"] == "因技术路线选择失误导致难以完成预定目标（修订）；"


@pytest.mark.django_db
@override_settings(PUBLICITY_DAYS=10)
def test_steps_and_handling(seeded, client):
    data = _detail(client, GuidancePage)
    steps = data["steps"]
    assert [s["title"] for s in steps][4] == "结果公示"
    assert [s["days"] for s in steps] == [None, None, None, None, 10, None]
    assert data["publicity_days"] == 10
    assert [s["reference"]["anchor"] for s in steps] == [f"s3-{n}" for n in range(1, 7)]
    assert steps[0]["reference"]["clause_ref"] == "三（一）"
    bodies = {row["programme"]: row["body_label"] for row in data["handling"]["programmes"]}
    assert bodies[Programme.BASIC_PUBLIC_WELFARE.value] == HandlingBody.FOUNDATION_OFFICE.label
    assert bodies[Programme.KEY_RD.value] == HandlingBody.DEPARTMENT.label
    assert data["handling"]["reference"]["anchor"] == "s3"
    assert data["after_exemption_info"]["reference"]["clause_ref"] == "四（二）"
    assert data["exemption_effect_info"]["text"].startswith("科研人员被认定为容错免责的")


@pytest.mark.django_db
@override_settings(WAGTAILAPI_BASE_URL="https://cms.example.gov.cn")
def test_forms_editors_upload_are_listed_with_their_download_url(seeded, client):
    document = Document(title="申请书模板")
    document.file.save("apply.docx", ContentFile(b"PK\x03\x04 template"), save=False)
    document.save()
    page = GuidancePage.objects.get()
    form = {"title": "容错免责认定申请书（模板）", "document": document.pk, "note": ""}
    page.form_downloads = [{"type": "form", "value": form}]
    page.save_revision().publish()
    forms = _detail(client, GuidancePage)["forms"]
    assert len(forms) == 1
    assert forms[0]["title"] == "容错免责认定申请书（模板）"
    assert forms[0]["url"].startswith(f"https://cms.example.gov.cn/documents/{document.pk}/")
    assert forms[0]["file_extension"] == "docx"


@pytest.mark.django_db
def test_the_faq_publishes_questions_answers_and_their_clause(seeded, client):
    data = _detail(client, FaqPage)
    questions = {q["question"]: q for q in data["questions"]}
    assert {"什么情况下不予免责？", "公示期多长？", "由谁受理？", "免责后还要做什么？"} <= set(
        questions
    )
    answer = questions["公示期多长？"]
    assert answer["answer"].startswith("<p>") and "公示期为7天" in answer["answer"]
    assert answer["reference"]["anchor"] == "s3-5"
    assert questions["免责后还要做什么？"]["reference"]["clause_ref"] == "四（二）"
