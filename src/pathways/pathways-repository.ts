// SPDX-License-Identifier: MIT
/**
 * Responding to need: levels of need, front-door requests for support, early help, children's social
 * care episodes as CIN census coded events, and drift alerts. Access follows the child-record rules
 * (../data/child-access.ts): a worker sees a child's pathway while their agency is involved; the front
 * door and safeguarding leads see every child. The front door alone rates and decides requests; only
 * children's social care records social care events. Every view and change is audited in the same
 * transaction; statuses, timescales and alerts are derived from the events, never stored.
 *
 * The work is done by one repository per sub-area (levels of need, requests and the front door's
 * decisions, early help, social care events, the child's pathway page, alerts, professional differences),
 * each in its own folder beside its routes. This class is the one door to them, `request.repo.pathways`,
 * and only forwards, so routes and other areas need not know how the area is divided.
 */
import type { MethodAccess, RepositoryScope } from "../data/repository-scope.ts";
import { AlertsRepository } from "./alerts/alerts-repository.ts";
import { ChildPathwayRepository } from "./child-pathway/child-pathway-repository.ts";
import { NeedLevelsRepository } from "./child-pathway/need-levels-repository.ts";
import { DifferencesRepository } from "./differences/differences-repository.ts";
import { EarlyHelpRepository } from "./early-help/early-help-repository.ts";
import { RequestDecisionsRepository } from "./requests/request-decisions-repository.ts";
import { SupportRequestsRepository } from "./requests/requests-repository.ts";
import { SocialCareRepository } from "./social-care/social-care-repository.ts";

export { supervisionVisibleTo } from "./child-pathway/child-pathway-repository.ts";

export type { EarlyHelpEnd, NewEarlyHelp } from "./early-help/early-help-repository.ts";
export type { NeedLevel, NewLevelDecision } from "./pathway-records.ts";
export type { FrontDoorDecision } from "./requests/request-decisions-repository.ts";
export type { NewSupportRequest } from "./requests/support-requests.ts";
export { runsFrontDoor } from "./social-care-access.ts";

export class PathwaysRepository {
  /** Every public method, classified by the sub-area that does the work. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof PathwaysRepository, MethodAccess> = {
    ...NeedLevelsRepository.methodAccess,
    ...SupportRequestsRepository.methodAccess,
    ...RequestDecisionsRepository.methodAccess,
    ...EarlyHelpRepository.methodAccess,
    ...SocialCareRepository.methodAccess,
    ...ChildPathwayRepository.methodAccess,
    ...AlertsRepository.methodAccess,
    ...DifferencesRepository.methodAccess,
  };

  readonly #levels: NeedLevelsRepository;
  readonly #requests: SupportRequestsRepository;
  readonly #decisions: RequestDecisionsRepository;
  readonly #earlyHelp: EarlyHelpRepository;
  readonly #socialCare: SocialCareRepository;
  readonly #page: ChildPathwayRepository;
  readonly #alerts: AlertsRepository;
  readonly #differences: DifferencesRepository;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#levels = new NeedLevelsRepository(scope);
    this.#requests = new SupportRequestsRepository(scope);
    this.#decisions = new RequestDecisionsRepository(scope);
    this.#earlyHelp = new EarlyHelpRepository(scope);
    this.#socialCare = new SocialCareRepository(scope);
    this.#page = new ChildPathwayRepository(scope);
    this.#alerts = new AlertsRepository(scope);
    this.#differences = new DifferencesRepository(scope);
  }

  needLevels(...args: Parameters<NeedLevelsRepository["needLevels"]>) {
    return this.#levels.needLevels(...args);
  }

  setNeedLevels(...args: Parameters<NeedLevelsRepository["setNeedLevels"]>) {
    return this.#levels.setNeedLevels(...args);
  }

  levelApprovers(...args: Parameters<NeedLevelsRepository["levelApprovers"]>) {
    return this.#levels.levelApprovers(...args);
  }

  recordLevelDecision(...args: Parameters<NeedLevelsRepository["recordLevelDecision"]>) {
    return this.#levels.recordLevelDecision(...args);
  }

  submitRequest(...args: Parameters<SupportRequestsRepository["submitRequest"]>) {
    return this.#requests.submitRequest(...args);
  }

  listMyRequests(...args: Parameters<SupportRequestsRepository["listMyRequests"]>) {
    return this.#requests.listMyRequests(...args);
  }

  frontDoorQueue(...args: Parameters<SupportRequestsRepository["frontDoorQueue"]>) {
    return this.#requests.frontDoorQueue(...args);
  }

  getRequest(...args: Parameters<SupportRequestsRepository["getRequest"]>) {
    return this.#requests.getRequest(...args);
  }

  listSocialWorkers(...args: Parameters<SupportRequestsRepository["listSocialWorkers"]>) {
    return this.#requests.listSocialWorkers(...args);
  }

  decideRequest(...args: Parameters<RequestDecisionsRepository["decideRequest"]>) {
    return this.#decisions.decideRequest(...args);
  }

  startEarlyHelp(...args: Parameters<EarlyHelpRepository["startEarlyHelp"]>) {
    return this.#earlyHelp.startEarlyHelp(...args);
  }

  mayChangeEarlyHelp(...args: Parameters<EarlyHelpRepository["mayChangeEarlyHelp"]>) {
    return this.#earlyHelp.mayChangeEarlyHelp(...args);
  }

  addTeamMember(...args: Parameters<EarlyHelpRepository["addTeamMember"]>) {
    return this.#earlyHelp.addTeamMember(...args);
  }

  addPlanOutcome(...args: Parameters<EarlyHelpRepository["addPlanOutcome"]>) {
    return this.#earlyHelp.addPlanOutcome(...args);
  }

  addPlanAction(...args: Parameters<EarlyHelpRepository["addPlanAction"]>) {
    return this.#earlyHelp.addPlanAction(...args);
  }

  completePlanAction(...args: Parameters<EarlyHelpRepository["completePlanAction"]>) {
    return this.#earlyHelp.completePlanAction(...args);
  }

  recordEarlyHelpReview(...args: Parameters<EarlyHelpRepository["recordEarlyHelpReview"]>) {
    return this.#earlyHelp.recordEarlyHelpReview(...args);
  }

  endEarlyHelp(...args: Parameters<EarlyHelpRepository["endEarlyHelp"]>) {
    return this.#earlyHelp.endEarlyHelp(...args);
  }

  openReferral(...args: Parameters<SocialCareRepository["openReferral"]>) {
    return this.#socialCare.openReferral(...args);
  }

  recordEvent(...args: Parameters<SocialCareRepository["recordEvent"]>) {
    return this.#socialCare.recordEvent(...args);
  }

  childPathway(...args: Parameters<ChildPathwayRepository["childPathway"]>) {
    return this.#page.childPathway(...args);
  }

  recordSupervision(...args: Parameters<ChildPathwayRepository["recordSupervision"]>) {
    return this.#page.recordSupervision(...args);
  }

  myAlerts(...args: Parameters<AlertsRepository["myAlerts"]>) {
    return this.#alerts.myAlerts(...args);
  }

  raiseEscalation(...args: Parameters<DifferencesRepository["raiseEscalation"]>) {
    return this.#differences.raiseEscalation(...args);
  }

  escalate(...args: Parameters<DifferencesRepository["escalate"]>) {
    return this.#differences.escalate(...args);
  }

  resolveEscalation(...args: Parameters<DifferencesRepository["resolveEscalation"]>) {
    return this.#differences.resolveEscalation(...args);
  }
}
