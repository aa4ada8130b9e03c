// SPDX-License-Identifier: MIT
/**
 * Neglect assessments: tool definitions as versioned data, assessments pinned to a version, answers,
 * family and child's views, sign-off, and change over time. Access follows the child-record rules
 * (../data/child-access.ts): whoever may open the child's record may read their assessments; recorders
 * of the agency that started an assessment may edit it while it is a draft; a manager or safeguarding
 * lead other than the person who submitted it signs it off. Every view and change is audited in the same
 * transaction, and signing off adds an entry to the child's chronology.
 *
 * The work is done by one repository per sub-area (tools, a child's assessments, drafts, sign-off, family
 * assessments). This class is the one door to them, `request.repo.assessments`, and only forwards, so
 * routes and other areas need not know how the area is divided.
 */
import type { MethodAccess, RepositoryScope } from "../data/repository-scope.ts";
import { AssessmentDraftsRepository } from "./assessment-drafts-repository.ts";
import { AssessmentSignOffRepository } from "./assessment-sign-off.ts";
import { ChildAssessmentsRepository } from "./child-assessments-repository.ts";
import { FamilyAssessmentsRepository } from "./family-assessments-repository.ts";
import { ToolVersionsRepository } from "./tool-versions-repository.ts";

export class AssessmentsRepository {
  /** Every public method, classified by the sub-area that does the work. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof AssessmentsRepository, MethodAccess> = {
    ...ToolVersionsRepository.methodAccess,
    ...ChildAssessmentsRepository.methodAccess,
    ...AssessmentDraftsRepository.methodAccess,
    ...AssessmentSignOffRepository.methodAccess,
    ...FamilyAssessmentsRepository.methodAccess,
  };

  readonly #tools: ToolVersionsRepository;
  readonly #children: ChildAssessmentsRepository;
  readonly #drafts: AssessmentDraftsRepository;
  readonly #signOff: AssessmentSignOffRepository;
  readonly #families: FamilyAssessmentsRepository;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#tools = new ToolVersionsRepository(scope);
    this.#children = new ChildAssessmentsRepository(scope);
    this.#drafts = new AssessmentDraftsRepository(scope);
    this.#signOff = new AssessmentSignOffRepository(scope);
    this.#families = new FamilyAssessmentsRepository(scope);
  }

  listTools(...args: Parameters<ToolVersionsRepository["listTools"]>) {
    return this.#tools.listTools(...args);
  }

  uploadTool(...args: Parameters<ToolVersionsRepository["uploadTool"]>) {
    return this.#tools.uploadTool(...args);
  }

  exportToolVersion(...args: Parameters<ToolVersionsRepository["exportToolVersion"]>) {
    return this.#tools.exportToolVersion(...args);
  }

  listForChild(...args: Parameters<ChildAssessmentsRepository["listForChild"]>) {
    return this.#children.listForChild(...args);
  }

  startAssessment(...args: Parameters<ChildAssessmentsRepository["startAssessment"]>) {
    return this.#children.startAssessment(...args);
  }

  getAssessment(...args: Parameters<ChildAssessmentsRepository["getAssessment"]>) {
    return this.#children.getAssessment(...args);
  }

  changeOverTime(...args: Parameters<ChildAssessmentsRepository["changeOverTime"]>) {
    return this.#children.changeOverTime(...args);
  }

  saveDetails(...args: Parameters<AssessmentDraftsRepository["saveDetails"]>) {
    return this.#drafts.saveDetails(...args);
  }

  saveAnswers(...args: Parameters<AssessmentDraftsRepository["saveAnswers"]>) {
    return this.#drafts.saveAnswers(...args);
  }

  addVisit(...args: Parameters<AssessmentDraftsRepository["addVisit"]>) {
    return this.#drafts.addVisit(...args);
  }

  removeVisit(...args: Parameters<AssessmentDraftsRepository["removeVisit"]>) {
    return this.#drafts.removeVisit(...args);
  }

  saveFamilyView(...args: Parameters<AssessmentDraftsRepository["saveFamilyView"]>) {
    return this.#drafts.saveFamilyView(...args);
  }

  saveChildVoice(...args: Parameters<AssessmentDraftsRepository["saveChildVoice"]>) {
    return this.#drafts.saveChildVoice(...args);
  }

  addTarget(...args: Parameters<AssessmentDraftsRepository["addTarget"]>) {
    return this.#drafts.addTarget(...args);
  }

  removeTarget(...args: Parameters<AssessmentDraftsRepository["removeTarget"]>) {
    return this.#drafts.removeTarget(...args);
  }

  submit(...args: Parameters<AssessmentSignOffRepository["submit"]>) {
    return this.#signOff.submit(...args);
  }

  signOff(...args: Parameters<AssessmentSignOffRepository["signOff"]>) {
    return this.#signOff.signOff(...args);
  }

  familyOptions(...args: Parameters<FamilyAssessmentsRepository["familyOptions"]>) {
    return this.#families.familyOptions(...args);
  }

  startFamilyAssessment(...args: Parameters<FamilyAssessmentsRepository["startFamilyAssessment"]>) {
    return this.#families.startFamilyAssessment(...args);
  }

  getFamilyAssessment(...args: Parameters<FamilyAssessmentsRepository["getFamilyAssessment"]>) {
    return this.#families.getFamilyAssessment(...args);
  }

  saveFamilyShared(...args: Parameters<FamilyAssessmentsRepository["saveFamilyShared"]>) {
    return this.#families.saveFamilyShared(...args);
  }

  saveFamilyChild(...args: Parameters<FamilyAssessmentsRepository["saveFamilyChild"]>) {
    return this.#families.saveFamilyChild(...args);
  }

  saveFamilyWords(...args: Parameters<FamilyAssessmentsRepository["saveFamilyWords"]>) {
    return this.#families.saveFamilyWords(...args);
  }

  submitFamily(...args: Parameters<FamilyAssessmentsRepository["submitFamily"]>) {
    return this.#families.submitFamily(...args);
  }

  decideFamily(...args: Parameters<FamilyAssessmentsRepository["decideFamily"]>) {
    return this.#families.decideFamily(...args);
  }
}
