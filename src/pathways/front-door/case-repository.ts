// SPDX-License-Identifier: MIT
/**
 * The case on one screen and the front door's sight of it: the derived level of need, what a request page
 * may name (the child's record, chronologies, and only those family members the caller may open), the
 * people and agencies early help can be given to, and step-down from a closed social care case to early
 * help. Access predicates are in SQL (childVisibleTo); every read of a child's record is audited.
 *
 * The work is done by one repository per sub-area (the case picture, and early help's choices with
 * step-down). This class is the one door to them, `request.repo.cases`, and only forwards.
 */
import type { MethodAccess, RepositoryScope } from "../../data/repository-scope.ts";
import { CasePictureRepository } from "./case-picture-repository.ts";
import { StepDownRepository } from "./step-down-repository.ts";

export type { ShownLevel } from "./case-level.ts";
export type { StepDownInput } from "./step-down-repository.ts";

export class CaseRepository {
  /** Every public method, classified by the sub-area that does the work. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof CaseRepository, MethodAccess> = {
    ...CasePictureRepository.methodAccess,
    ...StepDownRepository.methodAccess,
  };

  readonly #pictures: CasePictureRepository;
  readonly #stepDowns: StepDownRepository;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#pictures = new CasePictureRepository(scope);
    this.#stepDowns = new StepDownRepository(scope);
  }

  levelOfNeed(...args: Parameters<CasePictureRepository["levelOfNeed"]>) {
    return this.#pictures.levelOfNeed(...args);
  }

  requestPicture(...args: Parameters<CasePictureRepository["requestPicture"]>) {
    return this.#pictures.requestPicture(...args);
  }

  casePicture(...args: Parameters<CasePictureRepository["casePicture"]>) {
    return this.#pictures.casePicture(...args);
  }

  earlyHelpChoices(...args: Parameters<StepDownRepository["earlyHelpChoices"]>) {
    return this.#stepDowns.earlyHelpChoices(...args);
  }

  stepDownChoices(...args: Parameters<StepDownRepository["stepDownChoices"]>) {
    return this.#stepDowns.stepDownChoices(...args);
  }

  stepDown(...args: Parameters<StepDownRepository["stepDown"]>) {
    return this.#stepDowns.stepDown(...args);
  }
}
