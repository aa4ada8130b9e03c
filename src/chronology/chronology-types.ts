// SPDX-License-Identifier: MIT
/** The chronology's shapes: what a recorder writes, the filters and paging, and what the pages and exports show. */
import type { ImportFormat } from "../imports/codes.ts";
import type { Role } from "../organisation/codes.ts";
import type { CscEventType } from "../pathways/codes.ts";
import type {
  DatePrecision,
  EventType,
  InformationBasis,
  NeglectType,
  Significance,
  Visibility,
} from "./codes.ts";

/** What a recorder writes about one event. */
export type EventInput = {
  eventType: EventType;
  /** YYYY-MM-DD; for a month or an approximate date, any day in that month (stored as given). */
  occurredOn: string;
  datePrecision: DatePrecision;
  whatHappened: string;
  impactOnChild: string;
  actionTaken: string | null;
  significance: Significance;
  neglectTypes: NeglectType[];
  informationBasis: InformationBasis;
  visibility: Visibility;
  /** For a restricted entry, the roles that may see it (besides the recording agency). */
  restrictedToRoles: Role[];
};

/** Narrowing a chronology: every field optional, all applied together. */
export type ChronologyFilters = {
  personId?: string | undefined;
  agencyId?: string | undefined;
  eventType?: EventType | undefined;
  neglectType?: NeglectType | undefined;
  significance?: Significance | undefined;
  /** Inclusive, YYYY-MM-DD. */
  from?: string | undefined;
  /** Inclusive, YYYY-MM-DD. */
  to?: string | undefined;
  /** Only children's social care events (the type filter's extra choice). */
  socialCareOnly?: boolean | undefined;
};

/** Why a chronology is read, as the audit row records it. */
export type ChronologyPurpose = "chronology" | "family-chronology" | "export-pdf" | "export-csv";

/** One person in the picture, labelled by how they stand to the focal child. */
export type FamilyMember = {
  person_id: string;
  name: string;
  /** "This child", "Mother", "Sibling", "Parent's partner · Other adult in the household", ... */
  label: string;
  kind: string;
  date_of_birth: string | null;
  expected_date_of_birth: string | null;
};

/** One stored entry, with its agency's and recorder's names. */
export type EventRow = {
  event_id: string;
  person_id: string;
  occurred_on: string;
  date_precision: DatePrecision;
  /** A chronology event type, or for a social care entry the pathway's event type (../pathways/codes.ts). */
  event_type: EventType;
  source_agency_id: string;
  agency_name: string;
  recorded_by: string | null;
  recorder_name: string | null;
  recorded_at: Date;
  what_happened: string;
  impact_on_child: string;
  action_taken: string | null;
  significance: Significance;
  neglect_types: NeglectType[];
  information_basis: InformationBasis;
  visibility: Visibility;
  restricted_to_roles: Role[];
  supersedes_event_id: string | null;
  amendment_reason: string | null;
  /** The agency import that wrote the entry, or null for one typed in (and for social care events). */
  import_id?: string | null;
  import_file_name?: string | null;
  import_format?: ImportFormat | null;
  /** The day the import was started (YYYY-MM-DD, England). */
  import_started_on?: string | null;
  /** Whether the caller may open the import's page (the imports pages' own rule, in SQL). */
  import_visible?: boolean | null;
};

/** A children's social care event (src/pathways) read into the chronology beside agencies' entries. */
export type SocialCareFields = {
  /** "agency" for a chronology entry, "social-care" for a pathway event. */
  source: "agency" | "social-care";
  csc_event_type: CscEventType | null;
  csc_code: string | null;
  csc_codes: string[];
  csc_count: number | null;
  csc_child_seen: boolean | null;
  csc_seen_alone: boolean | null;
};

/** One chronology entry as the pages and exports show it. */
export type ChronologyRow = EventRow & {
  source: "agency" | "social-care";
  /** "12 March 2024", "March 2024", "about June 2023". */
  date_label: string;
  event_type_label: string;
  significance_label: string;
  information_basis_label: string;
  neglect_type_labels: string[];
  restricted_to_labels: string[];
  person_name: string;
  person_label: string;
  /** The person's age on the event's date. */
  age_at_event: string;
  /** Whether the caller may amend or retract this entry. */
  may_change: boolean;
  /**
   * For an entry an agency import wrote: "Imported from <file> (<format>), <date>", and the import's page
   * only when the caller may see that import (otherwise null: the words without the link).
   */
  imported: { text: string; href: string | null } | null;
};

export type Chronology = {
  /** The child whose chronology this is. */
  child: FamilyMember;
  /** The people whose entries may appear (the child alone, or the family members the caller may open). */
  members: FamilyMember[];
  /** How many family members' entries are left out because the caller may not open their records. */
  hiddenMembers: number;
  /** The agencies that recorded the entries shown, for the filter. */
  agencies: { agency_id: string; name: string }[];
  /** The entries asked for: one page of them, or every one (for exports). */
  events: ChronologyRow[];
  /** How many entries match the filters, on every page. */
  total: number;
  /** The page shown (1-based) and the entries per page; perPage is 0 when every entry is shown. */
  page: number;
  perPage: number;
  /** Entries matching the filters per month (YYYY-MM) and person and agency, for the timeline. */
  counts: { month: string; person_id: string; agency_name: string; count: number }[];
};

/** Paging a chronology: entries per page and the page wanted (1-based; past the end shows the last). */
export type ChronologyPage = { page: number; perPage: number };

/** The type filter's value for "children's social care events" (not a chronology event type). */
export const SOCIAL_CARE_TYPE = "social-care";

export type EventHistory = {
  child: FamilyMember;
  /** Every version, oldest first; the last is the current one. */
  versions: ChronologyRow[];
  retraction: { retracted_at: Date; retracted_by_name: string | null; reason: string } | null;
};
