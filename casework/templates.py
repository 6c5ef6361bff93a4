"""The fixed wording of each kind of caseworker letter; the law in it comes from retrieval.

Each template pairs the letter's own sentences ("the council must decide within 6 weeks") with
the provision that supports them, named so retrieval finds it directly, plus a purpose-specific
legal question that adds related provisions (see ``casework.draft``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PURPOSES", "REPLY_PURPOSE", "TEMPLATES", "LegalPoint", "LetterTemplate"]


@dataclass(frozen=True)
class LegalPoint:
    """A sentence of the letter and the provision that must support it.

    The provision is the one its lookup question names: as the letters' own wording says, a
    section (``s.``) is the Children and Families Act 2014's and a regulation (``reg.``) the
    SEND Regulations 2014's, the documents a provision named without an Act's name is looked
    up in (their ``role`` in corpus/sources.toml).
    """

    locator: str
    lead: str
    question: str = ""

    def lookup_question(self) -> str:
        """A question naming the provision, so retrieval finds it directly."""
        if self.question:
            return self.question
        number = self.locator.split(".", 1)[1].split("(")[0]
        if self.locator.startswith("reg."):
            return f"What does regulation {number} of the SEND Regulations 2014 say?"
        return f"What does section {number} of the Children and Families Act 2014 say?"


@dataclass(frozen=True)
class LetterTemplate:
    """The fixed wording of one kind of letter; the law in it comes from retrieval."""

    purpose: str
    title: str
    recipient: str
    greeting: str
    subject: str
    opening: str
    points: tuple[LegalPoint, ...]
    search: str
    asks_heading: str
    asks: tuple[str, ...]
    closing: str
    sign_off: str = "Yours faithfully,"
    law_heading: str = "What the law says"


_COUNCIL = "SEND team\n[Council name]\n[Council address]"

TEMPLATES: dict[str, LetterTemplate] = {
    t.purpose: t
    for t in (
        LetterTemplate(
            purpose="assessment_request",
            title="Request an EHC needs assessment",
            recipient=_COUNCIL,
            greeting="Dear SEND team,",
            subject="Request for an education, health and care (EHC) needs assessment for "
            "[child's name], date of birth [date of birth]",
            opening="I am writing to ask the council to carry out an EHC needs assessment for "
            "my child. Please treat this letter as a request under section 36(1) of the "
            "Children and Families Act 2014.",
            points=(
                LegalPoint("s.36(1)", "A parent may make this request."),
                LegalPoint(
                    "s.36(8)",
                    "The council must carry out the assessment if my child has or may have "
                    "special educational needs and may need provision through an EHC plan.",
                ),
                LegalPoint(
                    "reg.5(1)",
                    "The council must tell me its decision within 6 weeks of receiving this "
                    "request.",
                ),
            ),
            search="request EHC needs assessment duty section 36 6 weeks decision",
            asks_heading="What I am asking you to do",
            asks=(
                "Confirm in writing the date on which you received this request.",
                "Tell me within 6 weeks of that date whether you will carry out an EHC needs "
                "assessment.",
                "If you decide not to assess, give me your reasons in writing, with the "
                "information about mediation and my right of appeal.",
            ),
            closing="I enclose copies of the evidence I refer to above. Please contact me if "
            "you need anything else.",
        ),
        LetterTemplate(
            purpose="missed_deadline",
            title="Complain that a statutory deadline was missed",
            recipient=_COUNCIL,
            greeting="Dear SEND team,",
            subject="Formal complaint: statutory time limit missed for [child's name], "
            "date of birth [date of birth]",
            opening="I am writing to complain that the council has not met a time limit that "
            "the law sets for my child's EHC needs assessment or plan. "
            "[Delete the time limits below that do not apply.]",
            points=(
                LegalPoint(
                    "reg.5(1)",
                    "The decision whether to carry out an EHC needs assessment is due within "
                    "6 weeks of the request.",
                ),
                LegalPoint(
                    "reg.10(1)",
                    "A decision, after assessment, not to make a plan is due within 16 weeks "
                    "of the request.",
                ),
                LegalPoint(
                    "reg.13(2)",
                    "The final EHC plan is due within 20 weeks of the request.",
                ),
                LegalPoint(
                    "s.44(1)",
                    "An EHC plan must be reviewed at least every 12 months.",
                ),
            ),
            search="time limits EHC needs assessment 6 weeks decision 16 weeks 20 weeks final "
            "EHC plan regulation 13",
            asks_heading="What I am asking you to do",
            asks=(
                "Explain why the time limit was not met, and whether the council relies on any "
                "exception in the Regulations (for example regulation 5(4) or 13(3)) and why.",
                "Tell me the date by which you will do what is overdue.",
                "Treat this letter as a formal complaint under the council's complaints "
                "procedure, and tell me what you will do to put things right for my child.",
            ),
            closing="If this is not resolved, I may take my complaint to the Local Government "
            "and Social Care Ombudsman.",
        ),
        LetterTemplate(
            purpose="review_or_amendment",
            title="Ask for an annual review or an amendment",
            recipient=_COUNCIL,
            greeting="Dear SEND team,",
            subject="Review and amendment of the EHC plan for [child's name], date of birth "
            "[date of birth]",
            opening="I am writing to ask the council to review my child's EHC plan and to amend "
            "it, because my child's needs or circumstances have changed.",
            points=(
                LegalPoint(
                    "s.44(1)",
                    "The council must review the plan at least every 12 months.",
                ),
                LegalPoint(
                    "s.44(2)",
                    "The council must re-assess my child's needs if I ask it to.",
                ),
                LegalPoint(
                    "reg.20(3)",
                    "I must have at least two weeks' notice of the review meeting.",
                ),
                LegalPoint(
                    "reg.22(3)",
                    "If the council amends the plan, the final amended plan is due within "
                    "8 weeks of it sending me the proposed amendments.",
                ),
            ),
            search="review EHC plan every 12 months annual review amend plan",
            asks_heading="What I am asking you to do",
            asks=(
                "Arrange a review meeting [bring the annual review forward] and give me at "
                "least two weeks' notice of the date.",
                "Consider amending sections [B, F and I] of the plan, for the reasons above.",
                "[If you want a re-assessment: treat this letter as a request to re-assess my "
                "child's needs under section 44(2).]",
            ),
            closing="Please contact me if you need anything else.",
        ),
        LetterTemplate(
            purpose="named_school",
            title="Ask for a named school",
            recipient=_COUNCIL,
            greeting="Dear SEND team,",
            subject="Request to name [school name] in the EHC plan for [child's name], "
            "date of birth [date of birth]",
            opening="I am writing to ask the council to name [school name] in section I of my "
            "child's EHC plan.",
            points=(
                LegalPoint(
                    "s.38(2)",
                    "A parent has the right to ask for a particular school to be named in the "
                    "plan.",
                ),
                LegalPoint("s.39(2)", "The council must consult the school I have asked for."),
                LegalPoint(
                    "s.39(3)",
                    "The council must name the school I have asked for unless one of the "
                    "exceptions applies.",
                ),
                LegalPoint("s.39(4)", "The exceptions are limited to these."),
            ),
            search="request particular school named in EHC plan section 39 local authority must "
            "name",
            asks_heading="What I am asking you to do",
            asks=(
                "Consult [school name] about my child now.",
                "Name [school name] in section I of the final EHC plan.",
                "If you decide not to, tell me in writing which exception you rely on and why, "
                "with the information about mediation and my right of appeal.",
            ),
            closing="Please contact me if you need anything else.",
        ),
        LetterTemplate(
            purpose="mediation_appeal",
            title="Next steps to mediation and appeal",
            recipient="[Parent's name]\n[Parent's address]",
            greeting="Dear [parent's name],",
            subject="Next steps: mediation and appeal about [child's name]'s EHC needs "
            "assessment or plan",
            opening="You have told me you disagree with the council's decision. This letter "
            "sets out the next steps and the time limits, with the law behind each one.",
            points=(
                LegalPoint(
                    "s.51(1)",
                    "You can appeal to the First-tier Tribunal (SEND) against the decision.",
                ),
                LegalPoint(
                    "s.55(3)",
                    "Before most appeals you need a certificate from a mediation adviser.",
                ),
                LegalPoint(
                    "reg.33",
                    "You must contact the mediation adviser within 2 months of the date the "
                    "council sent its decision.",
                ),
                LegalPoint(
                    "reg.34(1)",
                    "If you do not want mediation, the adviser must give you the certificate "
                    "within 3 working days.",
                ),
                LegalPoint(
                    "reg.36(2)",
                    "If you want mediation, the council must arrange it within 30 days.",
                ),
            ),
            search="appeal to the First-tier Tribunal mediation adviser certificate two months",
            asks_heading="Next steps",
            asks=(
                "Find the council's decision letter and note the date it was sent.",
                "Contact the mediation adviser named in that letter within 2 months of that "
                "date, and say whether you want mediation.",
                "Once you have the certificate, you can appeal to the Tribunal. The Tribunal's "
                "own rules set the time limit for appealing, so check it on GOV.UK "
                "(sendqa does not hold those rules).",
            ),
            closing="Please get in touch if you would like help with any of these steps.",
            sign_off="Kind regards,",
        ),
    )
}

REPLY_PURPOSE = "parent_reply"
#: Purposes in the order shown, with readable names.
PURPOSES: dict[str, str] = {
    **{key: t.title for key, t in TEMPLATES.items()},
    REPLY_PURPOSE: "Draft a reply to a parent (put their question in the facts box)",
}
