"""Statutory deadlines that follow from a date, each with the words of the law that set it.

A parent who knows the date the council received the request can be told the date the decision
was due, and the regulation to quote back. Every rule carries a verbatim quote; a unit test checks
each quote against the corpus text, so a rule cannot drift from the law it cites.

How periods are counted (and why):

- ``after``: "within 6 weeks of receiving a request" runs from the day after the event, so a
  request received on Monday 3 March 2025 must be decided by Monday 14 April 2025.
- ``beginning_with``: "at least 15 days, beginning with the day on which the draft plan was
  served" and "the period of 12 months starting with the date on which the plan was first made"
  count the event day as day one, so they end one day earlier than ``after``.
- ``before``: "at least two weeks' notice of the date of the meeting" gives the latest day
  something must happen before the event.
- Months add calendar months and clamp to the month's end (31 January + 1 month = 28 February).
- Working days skip Saturdays, Sundays and bank holidays in England and Wales. sendqa holds a
  fixed table for 2024 to 2027 (``BANK_HOLIDAYS``); beyond it only weekends are skipped and the
  deadline says so in its notes.

The exceptions that let a council miss a limit (reg.5(4), reg.10(4), reg.13(3), reg.27(3),
reg.44(3), reg.45(7)) are never applied automatically: whether one applies is a question of
fact, so each rule names them in its ``caveat`` instead.

The time limit for appealing to the First-tier Tribunal (SEND) itself is set by the Tribunal's
procedure rules, which the corpus does not hold, so it has no rule here; the 2-month limit to
contact a mediation adviser before an appeal (reg.33) does.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SEND_REGS = "uksi-2014-1530"
CFA_2014 = "ukpga-2014-6"

Unit = Literal["days", "weeks", "months", "working_days"]
Counting = Literal["after", "beginning_with", "before"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Offset(_Frozen):
    """A length of time as the law states it: '6 weeks', '15 days', '3 working days'."""

    amount: int = Field(ge=1, description="How many units.")
    unit: Unit = Field(description="days, weeks, months or working_days.")

    def __str__(self) -> str:
        word = self.unit.replace("_", " ")
        return f"{self.amount} {word[:-1] if self.amount == 1 else word}"


class DeadlineRule(_Frozen):
    """One time limit: what starts it, how long it is, who must act, and the law that sets it."""

    rule_id: str = Field(description="Stable id, e.g. 'assessment-decision'.")
    event: str = Field(description="What the starting date is; a key of EVENTS.")
    title: str = Field(description="What must happen by the date, in plain words.")
    actor: str = Field(description="Who must act: 'the local authority', 'you', ...")
    offset: Offset = Field(description="Length of the period.")
    counting: Counting = Field(
        default="after", description="How the period runs from the event (see module docstring)."
    )
    source_id: str = Field(description="Document that sets the limit.")
    locator: str = Field(description="Provision, e.g. 'reg.13(2)' or 's.44(1)(a)'.")
    quote: str = Field(description="Verbatim words of the provision that set the limit.")
    caveat: str = Field(default="", description="Exceptions and limits of this rule.")

    @model_validator(mode="after")
    def _working_days_run_forward(self) -> DeadlineRule:
        """The law counts working days only forward from an event; fail when the table is built."""
        if self.offset.unit == "working_days" and self.counting != "after":
            raise ValueError(f"rule {self.rule_id}: working days can only be counted 'after'")
        return self


class Deadline(_Frozen):
    """A rule applied to a date: when it falls and where today stands against it."""

    rule: DeadlineRule
    due: date = Field(description="Last day of the period (or latest day, for 'before' rules).")
    passed: bool = Field(description="True when today is after the due date.")
    days_left: int = Field(description="Days from today to the due date; negative once passed.")
    notes: tuple[str, ...] = Field(default=(), description="E.g. bank holidays not known.")


#: What each event's date is, in words a user can pick from.
EVENTS: dict[str, str] = {
    "request": "the local authority received the request for an EHC needs assessment",
    "draft_issued": "the draft EHC plan was served on you",
    "plan_finalised": "the EHC plan was first made (finalised)",
    "plan_reviewed": "the EHC plan was last reviewed",
    "review_meeting": "the annual review meeting (past or planned)",
    "amendment_proposed": "the local authority sent the plan with its proposed amendments",
    "reassessment_request": "the local authority received a request to re-assess",
    "reassessment_decision": "the local authority told you it will re-assess",
    "decision_notice": "the local authority sent written notice of a decision you can appeal",
    "mediation_declined": "you told the mediation adviser you do not want mediation",
    "mediation_requested": "you told the local authority you want mediation",
    "mediation_concluded": "the mediation ended",
    "mediation_agreement": "a mediation agreement was made",
    "appeal_decision": "the First-tier Tribunal made its order on your appeal",
    "appeal_not_opposed": "the local authority told the Tribunal it will not oppose your appeal",
}

#: The four reasons shared by reg.5(4), reg.10(4), reg.13(3) and reg.27(3).
_IMPRACTICAL_BECAUSE = (
    "a school or college it asked for advice was closed for 4 weeks or more (such as the summer "
    "holiday), from one week before the closure to one week before it re-opens; the same for an "
    "early years provider; exceptional personal circumstances affect the child, parent or young "
    "person; or they were away from the area for 4 weeks or more."
)
_ASSESSMENT_EXCEPTIONS = (
    "The council need not meet this limit where that is impractical because: "
    + _IMPRACTICAL_BECAUSE
)

_TRIBUNAL_ORDER = (
    "Only the line for the kind of order the Tribunal made applies, and the Tribunal may direct "
    "a different period (reg.44(1))."
)

_UNOPPOSED = "Only the line for the kind of appeal you made applies."

RULES: tuple[DeadlineRule, ...] = (
    # --- EHC needs assessment and plan -------------------------------------------------------
    DeadlineRule(
        rule_id="assessment-decision",
        event="request",
        title="Decision whether to carry out an EHC needs assessment",
        actor="the local authority",
        offset=Offset(amount=6, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.5(1)",
        quote="The local authority must notify the child's parent or the young person as soon as "
        "practicable and in any event within 6 weeks of",
        caveat="The same 6 weeks applies to a decision that a plan is not needed (reg.4(1)). "
        "The period also runs from the date the council became responsible for the child "
        "(s.24). " + _ASSESSMENT_EXCEPTIONS + " (reg.5(4))",
    ),
    DeadlineRule(
        rule_id="no-plan-notice",
        event="request",
        title="Notice, after the assessment, that no EHC plan will be made",
        actor="the local authority",
        offset=Offset(amount=16, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.10(1)",
        quote="in any event within 16 weeks of the local authority receiving a request for an EHC "
        "needs assessment",
        caveat=_ASSESSMENT_EXCEPTIONS + " (reg.10(4))",
    ),
    DeadlineRule(
        rule_id="final-plan",
        event="request",
        title="The finalised EHC plan sent to you: the final plan, not the draft",
        actor="the local authority",
        offset=Offset(amount=20, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.13(2)",
        quote="as soon as practicable, and in any event within 20 weeks of the local authority "
        "receiving a request for an EHC needs assessment",
        caveat="reg.13(3) lets the council miss this limit for the reasons in reg.10(4)(a) to (d). "
        + _ASSESSMENT_EXCEPTIONS,
    ),
    DeadlineRule(
        rule_id="draft-plan-comments",
        event="draft_issued",
        title="Your time to comment on the draft plan, ask for a school to be named, "
        "or require a meeting with an officer",
        actor="you",
        offset=Offset(amount=15, unit="days"),
        counting="beginning_with",
        source_id=SEND_REGS,
        locator="reg.13(1)(a)",
        quote="give them at least 15 days, beginning with the day on which the draft plan was "
        "served, in which to",
        caveat="At least 15 days: the council may give longer, and should not finalise the plan "
        "before the period ends. The day the draft was served may be later than the date on the "
        "letter.",
    ),
    # --- reviews -----------------------------------------------------------------------------
    DeadlineRule(
        rule_id="first-review",
        event="plan_finalised",
        title="First review of the EHC plan",
        actor="the local authority",
        offset=Offset(amount=12, unit="months"),
        counting="beginning_with",
        source_id=CFA_2014,
        locator="s.44(1)(a)",
        quote="in the period of 12 months starting with the date on which the plan was first made",
        caveat="After that, a review in each 12 months starting with the date of the last review "
        "(s.44(1)(b)). Before a move between phases of education the review must be done by 15 "
        "February, or 31 March for a move from secondary school to a post-16 institution "
        "(reg.18).",
    ),
    DeadlineRule(
        rule_id="next-review",
        event="plan_reviewed",
        title="Next review of the EHC plan",
        actor="the local authority",
        offset=Offset(amount=12, unit="months"),
        counting="beginning_with",
        source_id=CFA_2014,
        locator="s.44(1)(b)",
        quote="in each subsequent period of 12 months starting with the date on which the plan was "
        "last reviewed under this section",
        caveat="The Act does not say whether 'reviewed' means the meeting or the council's "
        "decision after it: counting from the earlier date is the safer reading. After a "
        "re-assessment, the review is due within 12 months of the new plan being sent (reg.27(4)).",
    ),
    DeadlineRule(
        rule_id="review-meeting-notice",
        event="review_meeting",
        title="Latest day to give notice of the date of the review meeting",
        actor="the school or council arranging the meeting",
        offset=Offset(amount=2, unit="weeks"),
        counting="before",
        source_id=SEND_REGS,
        locator="reg.20(3)",
        quote="At least two weeks' notice of the date of the meeting must be given.",
        caveat="reg.21(3) sets the same notice where the child or young person does not attend a "
        "school or other institution.",
    ),
    DeadlineRule(
        rule_id="review-advice-circulated",
        event="review_meeting",
        title="Latest day for advice and information to be sent out before the review meeting",
        actor="the school or council arranging the meeting",
        offset=Offset(amount=2, unit="weeks"),
        counting="before",
        source_id=SEND_REGS,
        locator="reg.20(4)",
        quote="must circulate it to those persons at least two weeks in advance of the review "
        "meeting",
        caveat="reg.21(4) sets the same where the child or young person does not attend a school "
        "or other institution.",
    ),
    DeadlineRule(
        rule_id="review-report",
        event="review_meeting",
        title="Written report of the review meeting prepared and sent to everyone invited",
        actor="the head teacher, principal or council",
        offset=Offset(amount=2, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.20(9)",
        quote="must be prepared within two weeks of the review meeting",
        caveat="reg.21(8) sets the same where the child or young person does not attend a school "
        "or other institution.",
    ),
    DeadlineRule(
        rule_id="review-decision",
        event="review_meeting",
        title="Council's decision to keep the plan as it is, amend it, or cease it",
        actor="the local authority",
        offset=Offset(amount=4, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.20(10)",
        quote="must notify the child's parent or the young person and the person referred to in "
        "paragraph (2)(b) within four weeks of the review meeting",
        caveat="reg.21(9) sets the same where the child or young person does not attend a school "
        "or other institution.",
    ),
    # --- amendment after a review ----------------------------------------------------------
    DeadlineRule(
        rule_id="amendment-comments",
        event="amendment_proposed",
        title="Your time to comment on proposed amendments, ask for a school, or ask for a meeting",
        actor="you",
        offset=Offset(amount=15, unit="days"),
        counting="beginning_with",
        source_id=SEND_REGS,
        locator="reg.22(2)(c)",
        quote="give them at least 15 days, beginning with the day on which the draft plan was "
        "served, in which to",
        caveat="At least 15 days: the council may give longer.",
    ),
    DeadlineRule(
        rule_id="amended-plan-final",
        event="amendment_proposed",
        title="Amended plan finalised and sent to you",
        actor="the local authority",
        offset=Offset(amount=8, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.22(3)",
        quote="in any event within 8 weeks of the local authority sending a copy of the EHC plan "
        "in accordance with paragraph (2)(a)",
    ),
    DeadlineRule(
        rule_id="decision-not-to-amend",
        event="amendment_proposed",
        title="Notice, with reasons, if the council decides not to amend after all",
        actor="the local authority",
        offset=Offset(amount=8, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.22(4)",
        quote="its reasons for this as soon as practicable and in any event within 8 weeks of the "
        "local authority sending a copy of the EHC plan",
    ),
    # --- re-assessment -------------------------------------------------------------------------
    DeadlineRule(
        rule_id="reassessment-decision",
        event="reassessment_request",
        title="Decision whether to re-assess",
        actor="the local authority",
        offset=Offset(amount=15, unit="days"),
        source_id=SEND_REGS,
        locator="reg.25(1)",
        quote="whether or not it is necessary to reassess the child or young person within 15 days "
        "of receiving the request to re-assess",
    ),
    DeadlineRule(
        rule_id="reassessment-final-plan",
        event="reassessment_decision",
        title="Amended or replacement plan finalised after a re-assessment",
        actor="the local authority",
        offset=Offset(amount=14, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.27(2)",
        quote="in any event within 14 weeks of the notification under regulation 25(1)",
        caveat="reg.27(3) lets the council miss this limit for the same reasons as an assessment: "
        + _IMPRACTICAL_BECAUSE,
    ),
    # --- mediation -----------------------------------------------------------------------------
    DeadlineRule(
        rule_id="contact-mediation-adviser",
        event="decision_notice",
        title="Contact the mediation adviser (needed before most appeals)",
        actor="you",
        offset=Offset(amount=2, unit="months"),
        source_id=SEND_REGS,
        locator="reg.33",
        quote="must contact the mediation adviser within 2 months after written notice of the "
        "local authority's decision was sent",
        caveat="No mediation certificate is needed for an appeal only about the school or type of "
        "school named, or no school being named (s.55(2)). The time limit for the appeal itself "
        "is in the Tribunal's procedure rules, which sendqa does not hold: check the First-tier "
        "Tribunal (SEND) guidance on GOV.UK.",
    ),
    DeadlineRule(
        rule_id="certificate-no-mediation",
        event="mediation_declined",
        title="Mediation certificate issued to you",
        actor="the mediation adviser",
        offset=Offset(amount=3, unit="working_days"),
        source_id=SEND_REGS,
        locator="reg.34(1)",
        quote="the mediation adviser must issue a mediation certificate under section 55(4) within "
        "3 working days of being informed by the parent or young person",
        caveat="Working days skip weekends and bank holidays in England and Wales.",
    ),
    DeadlineRule(
        rule_id="mediation-arranged",
        event="mediation_requested",
        title="Mediation held (arranged by the local authority)",
        actor="the local authority",
        offset=Offset(amount=30, unit="days"),
        source_id=SEND_REGS,
        locator="reg.36(2)",
        quote="within 30 days from the date of on which it was informed by the child's parent or "
        "young person that he or she wished to pursue mediation",
        caveat="Where the disagreement includes health care provision, reg.35 applies instead: "
        "the council must tell the health commissioners within 3 working days, and mediation "
        "must still be within 30 days. If the council cannot arrange it in time, a certificate "
        "follows within 3 working days of the adviser being told (reg.39(2) and (3)).",
    ),
    DeadlineRule(
        rule_id="certificate-after-mediation",
        event="mediation_concluded",
        title="Mediation certificate issued to you",
        actor="the mediation adviser",
        offset=Offset(amount=3, unit="working_days"),
        source_id=SEND_REGS,
        locator="reg.39(1)",
        quote="within 3 working days of the conclusion of the mediation",
        caveat="Working days skip weekends and bank holidays in England and Wales.",
    ),
    DeadlineRule(
        rule_id="mediation-agreement-action",
        event="mediation_agreement",
        title="Agreed action with no right of appeal carried out",
        actor="the local authority or health commissioner",
        offset=Offset(amount=2, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.42(3)",
        quote="must do that thing within two weeks of the date of the mediation agreement",
        caveat="Matters you could appeal follow the Tribunal-order time limits in reg.44 instead "
        "(reg.42(2)); the parties may agree other timescales in writing (reg.42(5)).",
    ),
    # --- after a Tribunal order (reg.44(2)) ----------------------------------------------------
    DeadlineRule(
        rule_id="order-assess-notify",
        event="appeal_decision",
        title="If the Tribunal ordered an assessment or re-assessment: "
        "council tells you it will do it",
        actor="the local authority",
        offset=Offset(amount=2, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.44(2)(b)",
        quote="the local authority shall within 2 weeks of the order being made notify the child's "
        "parent or the young person that it shall make the assessment or reassessment",
        caveat=_TRIBUNAL_ORDER + " reg.44(3) exceptions apply.",
    ),
    DeadlineRule(
        rule_id="order-assess-no-plan",
        event="appeal_decision",
        title="If the Tribunal ordered an assessment: notice, with reasons, if no plan is needed",
        actor="the local authority",
        offset=Offset(amount=10, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.44(2)(b)(i)",
        quote="in any event within 10 weeks of the date of the First-tier Tribunal's order",
        caveat=_TRIBUNAL_ORDER + " reg.44(3) exceptions apply.",
    ),
    DeadlineRule(
        rule_id="order-assess-final-plan",
        event="appeal_decision",
        title="If the Tribunal ordered an assessment: finalised plan, if one is needed",
        actor="the local authority",
        offset=Offset(amount=14, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.44(2)(b)(ii)",
        quote="in any event within 14 weeks of the date of the First-tier Tribunal's order",
        caveat=_TRIBUNAL_ORDER + " reg.44(3) exceptions apply.",
    ),
    DeadlineRule(
        rule_id="order-make-plan-draft",
        event="appeal_decision",
        title="If the Tribunal ordered the council to make a plan: draft plan issued",
        actor="the local authority",
        offset=Offset(amount=5, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.44(2)(c)(i)",
        quote="issue a draft EHC Plan within 5 weeks of the order being made",
        caveat=_TRIBUNAL_ORDER + " reg.44(3) exceptions apply.",
    ),
    DeadlineRule(
        rule_id="order-make-plan-final",
        event="appeal_decision",
        title="If the Tribunal ordered the council to make a plan: finalised plan sent",
        actor="the local authority",
        offset=Offset(amount=11, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.44(2)(c)(ii)",
        quote="within 11 weeks of the order being made",
        caveat=_TRIBUNAL_ORDER + " reg.44(3) exceptions apply.",
    ),
    DeadlineRule(
        rule_id="order-reconsider",
        event="appeal_decision",
        title="If the Tribunal referred the case back: council reconsiders",
        actor="the local authority",
        offset=Offset(amount=2, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.44(2)(d)",
        quote="the local authority shall do so within 2 weeks of the order being made",
        caveat=_TRIBUNAL_ORDER,
    ),
    DeadlineRule(
        rule_id="order-amend-provision",
        event="appeal_decision",
        title="If the Tribunal ordered changes to the special educational provision: "
        "amended plan issued",
        actor="the local authority",
        offset=Offset(amount=5, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.44(2)(e)",
        quote="the local authority shall issue the amended EHC Plan within 5 weeks of the order "
        "being made",
        caveat=_TRIBUNAL_ORDER,
    ),
    DeadlineRule(
        rule_id="order-amend-school",
        event="appeal_decision",
        title="If the Tribunal ordered a change to the school named: amended plan issued",
        actor="the local authority",
        offset=Offset(amount=2, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.44(2)(f)",
        quote="the local authority shall issue the amended EHC plan within 2 weeks of the order "
        "being made",
        caveat=_TRIBUNAL_ORDER,
    ),
    DeadlineRule(
        rule_id="order-continue-amend",
        event="appeal_decision",
        title="If the Tribunal ordered the plan to continue with amendments: plan amended",
        actor="the local authority",
        offset=Offset(amount=5, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.44(2)(h)",
        quote="amend the EHC Plan within 5 weeks of the order being made",
        caveat=_TRIBUNAL_ORDER,
    ),
    # --- unopposed appeals (reg.45) ------------------------------------------------------------
    DeadlineRule(
        rule_id="unopposed-assess-notify",
        event="appeal_not_opposed",
        title="Appeal against a refusal to assess or re-assess: council tells you it will do it",
        actor="the local authority",
        offset=Offset(amount=2, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.45(3)",
        quote="within 2 weeks of the date it notified the First-tier Tribunal under paragraph (1), "
        "notify the child’s parent or the young person that it must make the EHC needs "
        "assessment or reassessment",
        caveat=_UNOPPOSED + " reg.45(7) exceptions apply.",
    ),
    DeadlineRule(
        rule_id="unopposed-assess-no-plan",
        event="appeal_not_opposed",
        title="Appeal against a refusal to assess: notice, with reasons, if no plan is needed",
        actor="the local authority",
        offset=Offset(amount=10, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.45(3A)(a)",
        quote="in any event within 10 weeks of the date it notified the First-tier Tribunal under "
        "paragraph (1)",
        caveat=_UNOPPOSED,
    ),
    DeadlineRule(
        rule_id="unopposed-assess-final-plan",
        event="appeal_not_opposed",
        title="Appeal against a refusal to assess: finalised plan, if one is needed",
        actor="the local authority",
        offset=Offset(amount=14, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.45(3A)(b)",
        quote="in any event within 14 weeks of the date it notified the First-tier Tribunal under "
        "paragraph (1)",
        caveat=_UNOPPOSED,
    ),
    DeadlineRule(
        rule_id="unopposed-amend-needs-provision",
        event="appeal_not_opposed",
        title="Appeal about needs or provision in the plan: amended plan issued",
        actor="the local authority",
        offset=Offset(amount=5, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.45(4)",
        quote="the local authority must issue the amended EHC plan to those specified in "
        "regulation 22(3) within 5 weeks of the date it notified the First-tier Tribunal "
        "under paragraph (1)",
        caveat=_UNOPPOSED,
    ),
    DeadlineRule(
        rule_id="unopposed-amend-school",
        event="appeal_not_opposed",
        title="Appeal only about the school named: amended plan issued",
        actor="the local authority",
        offset=Offset(amount=2, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.45(5)(a)",
        quote="within 2 weeks of the date it notified the First-tier Tribunal under "
        "paragraph (1), or",
        caveat=_UNOPPOSED + " If needs or provision are being amended too, 5 weeks (reg.45(5)(b)).",
    ),
    DeadlineRule(
        rule_id="unopposed-make-plan-draft",
        event="appeal_not_opposed",
        title="Appeal against a refusal to make a plan: draft plan issued",
        actor="the local authority",
        offset=Offset(amount=5, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.45(6)(a)",
        quote="issue a draft EHC plan within 5 weeks of the date it notified the First-tier "
        "Tribunal under paragraph (1)",
        caveat=_UNOPPOSED + " reg.45(7) exceptions apply.",
    ),
    DeadlineRule(
        rule_id="unopposed-make-plan-final",
        event="appeal_not_opposed",
        title="Appeal against a refusal to make a plan: finalised plan sent",
        actor="the local authority",
        offset=Offset(amount=11, unit="weeks"),
        source_id=SEND_REGS,
        locator="reg.45(6)(b)",
        quote="within 11 weeks of the date it notified the First-tier Tribunal under paragraph (1)",
        caveat=_UNOPPOSED + " reg.45(7) exceptions apply.",
    ),
)

#: Rules that apply to each event, in table order.
RULES_BY_EVENT: dict[str, tuple[DeadlineRule, ...]] = {
    event: tuple(r for r in RULES if r.event == event) for event in EVENTS
}

# --- calendar arithmetic ---------------------------------------------------------------------

_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip

#: Bank holidays in England and Wales, 2024 to 2027 (GOV.UK list; substitute days included).
BANK_HOLIDAYS: frozenset[date] = frozenset(
    {
        date(2024, 1, 1), date(2024, 3, 29), date(2024, 4, 1), date(2024, 5, 6),
        date(2024, 5, 27), date(2024, 8, 26), date(2024, 12, 25), date(2024, 12, 26),
        date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5),
        date(2025, 5, 26), date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26),
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
        date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
        date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3),
        date(2027, 5, 31), date(2027, 8, 30), date(2027, 12, 27), date(2027, 12, 28),
    }
)  # fmt: skip
BANK_HOLIDAY_YEARS: range = range(2024, 2028)


def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the month's end: 31 Jan + 1 month is 28 (or 29) Feb."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales (as far as the table goes)."""
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def add_working_days(day: date, count: int) -> date:
    """The count-th working day after ``day`` ("within 3 working days of being informed")."""
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def _apply(rule: DeadlineRule, on: date) -> date:
    """The due date of one rule for an event on ``on``."""
    amount, unit = rule.offset.amount, rule.offset.unit
    if unit == "working_days":
        return add_working_days(on, amount)
    sign = -1 if rule.counting == "before" else 1
    if unit == "months":
        due = add_months(on, sign * amount)
    else:
        due = on + timedelta(days=sign * amount * (7 if unit == "weeks" else 1))
    return due - timedelta(days=1) if rule.counting == "beginning_with" else due


def _notes(rule: DeadlineRule, on: date, due: date) -> tuple[str, ...]:
    """Say so when working days ran past the bank holiday table."""
    if rule.offset.unit != "working_days":
        return ()
    years = {on.year, due.year}
    if years <= set(BANK_HOLIDAY_YEARS):
        return ()
    return (
        (
            f"sendqa knows bank holidays for {BANK_HOLIDAY_YEARS[0]} to {BANK_HOLIDAY_YEARS[-1]} "
            "only: for other years only weekends were skipped, so check for bank holidays."
        ),
    )


def compute_deadlines(event: str, on: date, today: date) -> list[Deadline]:
    """Every statutory deadline that follows from an event on ``on``, earliest first."""
    rules = RULES_BY_EVENT.get(event)
    if rules is None:
        known = ", ".join(EVENTS)
        raise ValueError(f"unknown event {event!r}: expected one of {known}")
    deadlines = []
    for rule in rules:
        due = _apply(rule, on)
        deadlines.append(
            Deadline(
                rule=rule,
                due=due,
                passed=today > due,
                days_left=(due - today).days,
                notes=_notes(rule, on, due),
            )
        )
    return sorted(deadlines, key=lambda d: d.due)


def format_date(day: date) -> str:
    """UK style without a leading zero: '14 April 2025' (strftime's %-d is not portable)."""
    return f"{day.day} {_MONTHS[day.month - 1].title()} {day.year}"


def describe_deadline(deadline: Deadline) -> str:
    """One line a parent can read on a phone: date, what is due, who, where the law says so."""
    rule = deadline.rule
    if deadline.passed:
        status = f"passed {-deadline.days_left} day{'s' if deadline.days_left != -1 else ''} ago"
    elif deadline.days_left == 0:
        status = "due today"
    else:
        status = f"{deadline.days_left} day{'s' if deadline.days_left != 1 else ''} left"
    return f"{format_date(deadline.due)}: {rule.title} ({rule.actor}; {rule.locator}) — {status}"


# --- reading dates typed by people -----------------------------------------------------------

_WEEKDAYS = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*,?\s+"
_MONTH_WORD = r"(?P<month>[a-z]{3,9})\.?"
_DAY_WORD = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_DATE_FORMATS = (
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"),
    re.compile(r"(?P<day>\d{1,2})[/.\-](?P<month>\d{1,2})[/.\-](?P<year>\d{4}|\d{2})"),
    re.compile(rf"{_DAY_WORD}(?:\s+of)?\s+{_MONTH_WORD},?\s+(?P<year>\d{{4}})"),
    re.compile(rf"{_MONTH_WORD}\s+{_DAY_WORD},?\s+(?P<year>\d{{4}})"),
)


def _month_number(token: str) -> int:
    """1-12 from '3', 'march' or 'mar'; 0 when it is not a month."""
    if token.isdigit():
        return int(token)
    for number, name in enumerate(_MONTHS, start=1):
        if token == name or (len(token) >= 3 and name.startswith(token)):
            return number
    return 0


def parse_user_date(text: str) -> date:
    """Read a date as a UK user types it: '3 March 2025', '03/03/2025' (day first), '2025-03-03'.

    Also '3rd of March, 2025', 'March 3, 2025', a leading weekday, and two-digit years
    ('3/3/25' is 2025: SEND law dates from 2014, so no other century is meant).

    Raises:
        ValueError: with a message saying which forms are understood.
    """
    cleaned = re.sub(r"\s+", " ", text.strip().lower())
    cleaned = re.sub(rf"^{_WEEKDAYS}", "", cleaned)
    for pattern in _DATE_FORMATS:
        m = pattern.fullmatch(cleaned)
        if not m:
            continue
        month = _month_number(m.group("month"))
        if month == 0:
            continue
        year = int(m.group("year"))
        year += 2000 if year < 100 else 0
        try:
            return date(year, month, int(m.group("day")))
        except ValueError:
            raise ValueError(
                f"{text.strip()!r} is not a real date: check the day and month"
            ) from None
    raise ValueError(
        f"could not read {text.strip()!r} as a date: write it as '3 March 2025', "
        "'03/03/2025' (day first) or '2025-03-03'"
    )
