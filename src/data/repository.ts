// SPDX-License-Identifier: MIT
/**
 * The one door to the data. Route code gets a Repository built from the caller's access context and
 * never touches SQL itself: each area's repository (request.repo.<area>) runs every method in a
 * transaction as the application role with the partnership set (row-level security is the backstop),
 * adds its own access predicates in SQL, and writes its audit row in that same transaction. Without a
 * context every method sees and changes nothing.
 */
import { AccountRepository } from "../account/account-repository.ts";
import { AssessmentsRepository } from "../assessments/assessments-repository.ts";
import { ToolLibraryRepository } from "../assessments/tool-library-repository.ts";
import { AuditTrailRepository } from "../audit/audit-trail-repository.ts";
import { ChronologyRepository } from "../chronology/chronology-repository.ts";
import type { HearthDatabase } from "../db/database.ts";
// Worklists (issue 12): the home page, notifications, professional differences seen by their parties.
import { EscalationsRepository } from "../escalations/escalations-repository.ts";
import { WorklistRepository } from "../home/worklist-repository.ts";
// Agency imports (issue 13): feeds, their rows' fates and the review list.
import { ImportsRepository } from "../imports/imports-repository.ts";
import { IndicatorsRepository } from "../indicators/indicators-repository.ts";
// Learning (issue 15): case audits, training, feedback from children and families.
import { AuditsRepository } from "../learning/audits/audits-repository.ts";
import { FeedbackRepository } from "../learning/feedback/feedback-repository.ts";
import { TrainingRepository } from "../learning/training/training-repository.ts";
import { NotificationsRepository } from "../notifications/notifications-repository.ts";
import { OrganisationRepository } from "../organisation/organisation-repository.ts";
import { CaseRepository } from "../pathways/front-door/case-repository.ts";
import { PathwaysRepository } from "../pathways/pathways-repository.ts";
import { PlansRepository } from "../pathways/plans/plans-repository.ts";
import { HouseholdsRepository } from "../people/households/households-repository.ts";
import { PeopleRepository } from "../people/people-repository.ts";
// Retention (issue 18): the rules, the review list and the archive.
import { RetentionRepository } from "../retention/retention-repository.ts";
import { SettingsRepository } from "../settings/settings-repository.ts";
import { SignalsRepository } from "../signals/signals-repository.ts";
import { SsoRepository } from "../sso/sso-repository.ts";
import type { AccessContext } from "./access-context.ts";
import { type MethodAccess, RepositoryScope } from "./repository-scope.ts";

/** Each domain area's own repository, reached as `request.repo.<area>`; each declares its own methods. */
type AreaRepositories =
  | "context"
  | "people"
  | "chronology"
  | "assessments"
  | "pathways"
  | "indicators"
  | "cases"
  | "households"
  | "settings"
  | "plans"
  | "notifications"
  | "worklist"
  | "escalations"
  | "toolLibrary"
  | "signals"
  | "imports"
  | "audits"
  | "training"
  | "feedback"
  | "sso"
  | "retention"
  | "account"
  | "auditTrail"
  | "organisation";

export class Repository {
  /**
   * Every public method, classified. Unguarded methods read nothing that belongs to the partnership. The
   * facade's own two only say when the request's transaction commits; each area declares its methods.
   */
  static readonly methodAccess: Record<Exclude<keyof Repository, AreaRepositories>, MethodAccess> = {
    shareOneTransaction: "unguarded",
    finish: "unguarded",
  };
  readonly context: AccessContext | undefined;
  /** People, families, households, involvements, break glass and merges. */
  readonly people: PeopleRepository;
  /** The multi-agency chronology of a child and of their family. */
  readonly chronology: ChronologyRepository;
  /** Neglect assessment tools and assessments. */
  readonly assessments: AssessmentsRepository;
  /** Levels of need, the front door, early help, social care episodes, alerts. */
  readonly pathways: PathwaysRepository;
  /** The strategies' indicators, benchmarks and the board report. */
  readonly indicators: IndicatorsRepository;
  /** The case on one screen, the derived level of need, the front door's sight of a request, step-down. */
  readonly cases: CaseRepository;
  /** Households over time and relationships, with their endings. */
  readonly households: HouseholdsRepository;
  /** The partnership's pathway settings, versioned. */
  readonly settings: SettingsRepository;
  /** Plans with content, casework narratives and their authorisation. */
  readonly plans: PlansRepository;
  /** The caller's own notifications. */
  readonly notifications: NotificationsRepository;
  /** The home page's worklist sections and the navigation's counts. */
  readonly worklist: WorklistRepository;
  /** Professional differences the caller is a party to. */
  readonly escalations: EscalationsRepository;
  /** The tool library's checks, preview and comparison before a tool version is published. */
  readonly toolLibrary: ToolLibraryRepository;
  /** Signals of possible neglect: worklist, the entries that fired them, decisions, precision. */
  readonly signals: SignalsRepository;
  /** Agencies' imported feeds, their rows' fates and the matches waiting for review. */
  readonly imports: ImportsRepository;
  /** Multi-agency case audit rounds, returns, moderation and actions. */
  readonly audits: AuditsRepository;
  /** Training courses, sessions, attendance, confidence and coverage. */
  readonly training: TrainingRepository;
  /** Feedback from children and families: one-time links, answers, quotes and the summary. */
  readonly feedback: FeedbackRepository;
  /** The partnership's single sign-on providers (administrators). */
  readonly sso: SsoRepository;
  readonly retention: RetentionRepository;
  /** The partnership, its agencies, teams and user accounts. */
  readonly organisation: OrganisationRepository;
  /** The caller's own account: second factor and sessions. */
  readonly account: AccountRepository;
  /** The audit trail: a record's history, refused requests. */
  readonly auditTrail: AuditTrailRepository;

  readonly #scope: RepositoryScope;

  /**
   * @param database - The open database.
   * @param context - The caller; undefined means nobody, who sees nothing.
   */
  constructor(database: HearthDatabase, context: AccessContext | undefined) {
    this.context = context;
    const scope = new RepositoryScope(database, context);
    this.#scope = scope;
    this.people = new PeopleRepository(scope);
    this.chronology = new ChronologyRepository(scope);
    this.assessments = new AssessmentsRepository(scope);
    this.pathways = new PathwaysRepository(scope);
    this.indicators = new IndicatorsRepository(scope);
    this.cases = new CaseRepository(scope);
    this.households = new HouseholdsRepository(scope);
    this.settings = new SettingsRepository(scope);
    this.plans = new PlansRepository(scope);
    this.notifications = new NotificationsRepository(scope);
    this.worklist = new WorklistRepository(scope);
    this.escalations = new EscalationsRepository(scope);
    this.toolLibrary = new ToolLibraryRepository(scope);
    this.signals = new SignalsRepository(scope);
    this.imports = new ImportsRepository(database, scope);
    this.audits = new AuditsRepository(scope);
    this.training = new TrainingRepository(scope);
    this.feedback = new FeedbackRepository(scope);
    this.sso = new SsoRepository(scope);
    this.retention = new RetentionRepository(scope);
    this.organisation = new OrganisationRepository(scope);
    this.account = new AccountRepository(scope);
    this.auditTrail = new AuditTrailRepository(scope);
  }

  /** Every later call shares one transaction until {@link finish}: see RepositoryScope.shareOneTransaction. */
  shareOneTransaction(): void {
    this.#scope.shareOneTransaction();
  }

  /** Commits the shared transaction with its audit rows; throws if it could not (nothing was kept). */
  finish(): Promise<void> {
    return this.#scope.finish();
  }
}

/**
 * Builds the repository for one request.
 * @param database - The open database.
 * @param context - The signed-in caller, or undefined.
 */
export const repositoryFor = (database: HearthDatabase, context: AccessContext | undefined): Repository =>
  new Repository(database, context);
