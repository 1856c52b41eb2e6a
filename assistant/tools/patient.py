"""Tools over the rule core: regimen selection, resectability criteria, locoregional choice."""

from __future__ import annotations

from collections.abc import Callable

from assistant.tools.citing import avoid_rows, option_citations, option_rows, trial_citations
from assistant.tools.deps import Artifact, ToolDeps
from clinical.profile import PatientProfile
from clinical.rules import locoregional_choice, potential_resectability, recommend
from clinical.rules.deciding import deciding_facts
from clinical.rules.render import render
from corpus.sources import merge


def _select_regimens(deps: ToolDeps) -> Callable[..., tuple[str, Artifact]]:
    def select_regimens(profile: PatientProfile) -> tuple[str, Artifact]:
        """Rank the systemic regimens the review supports for one patient (first or later line).

        Pass every fact the clinician gave: line and prior regimens (catalogue names such as
        "atezo/bev", "STRIDE", "lenvatinib"), goal (conversion or maintenance), Child-Pugh class
        and score, ECOG, BCLC stage, varices and whether an EGD was done, autoimmune disease,
        organ transplant, low platelets, refractory hypertension, tumour extent, AFP, NLR, region,
        prior TACE. Leave unknown facts out. Returns ranked options with rationale, trials and
        reference numbers, options to avoid with reasons, checks before starting, rule ids.
        """
        recommendation = recommend(profile)
        deciding = deciding_facts(profile, recommend)
        citations = option_citations((*recommendation.recommended, *recommendation.avoid), deps)
        for check in recommendation.checks:
            citations += trial_citations((), check.refs, check.sources, deps)
        artifact = {
            "tool": "select_regimens",
            "profile": profile.model_dump(mode="json", exclude_defaults=True),
            "recommended": option_rows(recommendation.recommended),
            "avoid": avoid_rows(recommendation.avoid),
            "rules_fired": list(recommendation.rules_fired),
            "citations": [c.model_dump() for c in merge(citations)],
            "data": recommendation.model_dump(mode="json"),
            # Unknown facts that change the top options: the options in each case.
            "deciding": [d.model_dump(mode="json") for d in deciding],
        }
        text = render(recommendation)
        for fact in deciding:
            cases = "; ".join(f"if {c.when}: {', '.join(c.names)}" for c in fact.cases)
            text += f"\nThe top options depend on {fact.ask}: {cases}."
        return text, artifact

    return select_regimens


def _check_resectability(deps: ToolDeps) -> Callable[..., tuple[str, Artifact]]:
    def check_resectability(profile: PatientProfile) -> tuple[str, Artifact]:
        """Check the review's potential-resectability criteria for one patient.

        Evaluates the five criteria validated before lenvatinib plus an anti-PD-1 antibody and
        the vascular-invasion criteria for atezolizumab plus bevacizumab (Vp1-2, AFP < 400 ng/mL,
        NLR < 2.63, tumour < 10 cm). Each criterion is met, not met or unknown (missing facts).
        """
        assessment = potential_resectability(profile)
        lines, citations = [], []
        for result in assessment.criteria_sets:
            lines.append(f"{result.name}: overall {result.overall} ({result.applicability})")
            lines += [f"  - {c.text}: {c.status}" for c in result.criteria]
            citations += trial_citations(result.trials, result.refs, result.sources, deps)
        lines += [f"Note: {note.text}" for note in assessment.notes]
        artifact = {
            "tool": "check_resectability",
            "profile": profile.model_dump(mode="json", exclude_defaults=True),
            "citations": [c.model_dump() for c in merge(citations)],
            "data": assessment.model_dump(mode="json"),
        }
        return "\n".join(lines), artifact

    return check_resectability


def _locoregional_options(deps: ToolDeps) -> Callable[..., tuple[str, Artifact]]:
    def locoregional_options(profile: PatientProfile) -> tuple[str, Artifact]:
        """Choose among TACE, HAIC and SBRT for one patient, as the review does.

        Uses tumour burden (up-to-7), main portal vein tumour thrombus, lobes involved and prior
        TACE (heavily pretreated or not).
        """
        choice = locoregional_choice(profile)
        lines = [
            f"{o.rank}. {o.name} [{o.certainty.value}]: {' '.join(o.rationale)}"
            for o in choice.options
        ]
        lines += [f"Avoid {a.name}: {a.reason}" for a in choice.avoid]
        lines += [f"Note: {n.text}" for n in choice.notes]
        if choice.outside_review:
            lines.append(choice.outside_review)
        citations = option_citations((*choice.options, *choice.avoid), deps)
        artifact = {
            "tool": "locoregional_options",
            "profile": profile.model_dump(mode="json", exclude_defaults=True),
            "recommended": option_rows(choice.options),
            "avoid": avoid_rows(choice.avoid),
            "rules_fired": list(choice.rules_fired),
            "citations": [c.model_dump() for c in merge(citations)],
            "data": choice.model_dump(mode="json"),
        }
        return "\n".join(lines) or "The review gives no locoregional option here.", artifact

    return locoregional_options
