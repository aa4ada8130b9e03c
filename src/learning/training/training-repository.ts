// SPDX-License-Identifier: MIT
/**
 * Workforce training: courses (title, level, the tools they qualify for, learning outcomes), sessions,
 * attendance by person (with their agency at the time), and a before-and-after confidence evaluation
 * (1 to 5 per learning outcome) whose change is shown. Coverage is counted by agency and role against the
 * partnership's target. Safeguarding leads and administrators record training; everyone may read the
 * course list and their own training; leads, analysts and managers read coverage (figures, no names).
 *
 * The work is done by one repository per sub-area (courses, sessions and attendance; evaluations and
 * coverage). This class is the one door to them, `request.repo.training`, and only forwards.
 */
import type { MethodAccess, RepositoryScope } from "../../data/repository-scope.ts";
import { TrainingCoursesRepository } from "./training-courses-repository.ts";
import { TrainingOutcomesRepository } from "./training-outcomes-repository.ts";

export {
  DEFAULT_TARGET_PERCENT,
  mayManageTraining,
  mayReadCoverage,
  TRAINED_ROLES,
} from "./training-access.ts";

export class TrainingRepository {
  /** Every public method, classified by the sub-area that does the work. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof TrainingRepository, MethodAccess> = {
    ...TrainingCoursesRepository.methodAccess,
    ...TrainingOutcomesRepository.methodAccess,
  };

  readonly #courses: TrainingCoursesRepository;
  readonly #outcomes: TrainingOutcomesRepository;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#courses = new TrainingCoursesRepository(scope);
    this.#outcomes = new TrainingOutcomesRepository(scope);
  }

  listCourses(...args: Parameters<TrainingCoursesRepository["listCourses"]>) {
    return this.#courses.listCourses(...args);
  }

  createCourse(...args: Parameters<TrainingCoursesRepository["createCourse"]>) {
    return this.#courses.createCourse(...args);
  }

  addSession(...args: Parameters<TrainingCoursesRepository["addSession"]>) {
    return this.#courses.addSession(...args);
  }

  getSession(...args: Parameters<TrainingCoursesRepository["getSession"]>) {
    return this.#courses.getSession(...args);
  }

  recordAttendance(...args: Parameters<TrainingCoursesRepository["recordAttendance"]>) {
    return this.#courses.recordAttendance(...args);
  }

  myTraining(...args: Parameters<TrainingCoursesRepository["myTraining"]>) {
    return this.#courses.myTraining(...args);
  }

  attendanceOptions(...args: Parameters<TrainingCoursesRepository["attendanceOptions"]>) {
    return this.#courses.attendanceOptions(...args);
  }

  recordEvaluation(...args: Parameters<TrainingOutcomesRepository["recordEvaluation"]>) {
    return this.#outcomes.recordEvaluation(...args);
  }

  coverage(...args: Parameters<TrainingOutcomesRepository["coverage"]>) {
    return this.#outcomes.coverage(...args);
  }

  setTarget(...args: Parameters<TrainingOutcomesRepository["setTarget"]>) {
    return this.#outcomes.setTarget(...args);
  }
}
