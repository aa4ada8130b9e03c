// SPDX-License-Identifier: MIT
/** Kinds of notification: who is told what, as codes (migration 0032 holds the same list). */
export const NOTIFICATION_KIND_CODES = [
  "message",
  "request-decided",
  "request-received",
  "case-allocated",
  "early-help-lead",
  "difference-raised",
  "difference-escalated",
  "difference-resolved",
  "break-glass",
  "assessment-submitted",
  "assessment-signed-off",
  "authorisation-requested",
  "plan-review-due",
  "involvement-requested",
  "involvement-decided",
  "authorisation-decided",
  "action-assigned",
  "stepped-down",
  "retention-review-due",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KIND_CODES)[number];

/** What each kind is called on the home page, grouped under these headings. */
export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  message: "Message",
  "request-decided": "Request for support decided",
  "request-received": "Request for support received",
  "case-allocated": "Case allocated to you",
  "early-help-lead": "You are the early help lead professional",
  "difference-raised": "Professional difference raised",
  "difference-escalated": "Professional difference escalated",
  "difference-resolved": "Professional difference resolved",
  "break-glass": "Break glass used",
  "assessment-submitted": "Assessment waiting for your sign-off",
  "assessment-signed-off": "Assessment signed off",
  "authorisation-requested": "Waiting for your authorisation",
  "plan-review-due": "Plan review due",
  "involvement-requested": "Request to be involved with a child",
  "involvement-decided": "Your request to be involved was decided",
  "authorisation-decided": "Authorisation decided",
  "action-assigned": "Plan action given to you",
  "stepped-down": "Case stepped down to early help",
  "retention-review-due": "Closed records due for retention review",
};

/** Kinds that stay on the home page until the recipient acknowledges them, not just reads them. */
export const ACKNOWLEDGED_KINDS: readonly NotificationKind[] = ["break-glass"];
