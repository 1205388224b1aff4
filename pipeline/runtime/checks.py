"""What a worker or beat checks before it starts, worded for the operator on one line."""

from __future__ import annotations


def file_plan_problem() -> str | None:
    """Why the retention file plan (`BCRM_RETENTION_FILE`, else the checkout's
    `retention.toml`) cannot be used, on one line; None when it loads and validates."""
    from pipeline.records.classify import default_plan
    from schemas.retention import RetentionPlanError

    try:
        default_plan()
    except (RetentionPlanError, OSError) as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        return "retention plan: " + " ".join(lines) + "; `bcrm retention check` shows it"
    return None


def sellers_problem() -> str | None:
    """Why the sellers file (`BCRM_SELLERS_FILE`) cannot be used, on one line; None when
    there is none or it loads."""
    from pipeline.flows.commerce.sellers import SellersFileError, configured_sellers

    try:
        configured_sellers()
    except (SellersFileError, OSError) as exc:
        return f"sellers file: {' '.join(str(exc).split())}"
    return None


def approvals_problem() -> str | None:
    """Why `approvals.toml` (`BCRM_APPROVALS_FILE`) cannot be used when the approvals flow
    runs, on one line; None when it loads or the flow is not in BCRM_FLOWS."""
    from pipeline.runtime import settings

    if "approvals" not in settings().flow_names:
        return None
    from pipeline.flows.approvals.policy import ApprovalsPolicyError, policy

    try:
        policy()
    except ApprovalsPolicyError as exc:
        return " ".join(str(exc).split())
    return None


def campaigns_problem() -> str | None:
    """Why `campaigns.toml` (`BCRM_CAMPAIGNS_FILE`) cannot be used when the campaigns flow
    runs, on one line; None when it loads or the flow is not in BCRM_FLOWS."""
    from pipeline.runtime import settings

    if "campaigns" not in settings().flow_names:
        return None
    from pipeline.flows.campaigns.policy import CampaignsPolicyError, policy

    try:
        policy()
    except CampaignsPolicyError as exc:
        return " ".join(str(exc).split())
    return None
