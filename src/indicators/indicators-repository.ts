// SPDX-License-Identifier: MIT
/**
 * Measuring success: the strategies' indicators computed from the partnership's own records, beside
 * the published DfE figures. Analysts and safeguarding leads see the whole partnership's figures;
 * managers see the figures for the children their agency works with. Drilling down to the children
 * behind a number lists only children the caller may open (childVisibleTo), so analysts, who never open
 * a child's record, see counts only; each drill-down is audited.
 *
 * The work is done by one repository per sub-area (the dashboard, the figures, the board report, the
 * board's settings). This class is the one door to them, `request.repo.indicators`, and only forwards.
 */
import type { MethodAccess, RepositoryScope } from "../data/repository-scope.ts";
import { BoardReportRepository } from "./board-report-repository.ts";
import { BoardSettingsRepository } from "./board-settings-repository.ts";
import { IndicatorDashboardRepository } from "./indicator-dashboard-repository.ts";
import { IndicatorFiguresRepository } from "./indicator-figures-repository.ts";
import type { Scope } from "./indicators-context.ts";

export type {
  BoardReportJob,
  ChildRow,
  DashboardRow,
  Freshness,
  Scope,
  TrendPoint,
} from "./indicators-context.ts";
export {
  comparedAsRate,
  mayChangeBoardSettings,
  mayReadIndicators,
  mayWriteCommentary,
  seesPartnershipFigures,
} from "./indicators-context.ts";

const { whoseFigures: _whoseFigures, ...figuresAccess } = IndicatorFiguresRepository.methodAccess;

export class IndicatorsRepository {
  /** Every public method, classified by the sub-area that does the work. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof IndicatorsRepository, MethodAccess> = {
    scope: "guarded",
    ...figuresAccess,
    ...IndicatorDashboardRepository.methodAccess,
    ...BoardReportRepository.methodAccess,
    ...BoardSettingsRepository.methodAccess,
  };

  readonly #figures: IndicatorFiguresRepository;
  readonly #dashboard: IndicatorDashboardRepository;
  readonly #report: BoardReportRepository;
  readonly #settings: BoardSettingsRepository;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#figures = new IndicatorFiguresRepository(scope);
    this.#dashboard = new IndicatorDashboardRepository(scope);
    this.#report = new BoardReportRepository(scope);
    this.#settings = new BoardSettingsRepository(scope);
  }

  /** @returns Whose figures the caller sees, or undefined when they see none. */
  scope(): Scope | undefined {
    return this.#figures.whoseFigures();
  }

  dashboard(...args: Parameters<IndicatorDashboardRepository["dashboard"]>) {
    return this.#dashboard.dashboard(...args);
  }

  indicator(...args: Parameters<IndicatorFiguresRepository["indicator"]>) {
    return this.#figures.indicator(...args);
  }

  drillDown(...args: Parameters<IndicatorFiguresRepository["drillDown"]>) {
    return this.#figures.drillDown(...args);
  }

  disproportionality(...args: Parameters<IndicatorFiguresRepository["disproportionality"]>) {
    return this.#figures.disproportionality(...args);
  }

  benchmarks(...args: Parameters<IndicatorDashboardRepository["benchmarks"]>) {
    return this.#dashboard.benchmarks(...args);
  }

  benchmarkSource(...args: Parameters<IndicatorDashboardRepository["benchmarkSource"]>) {
    return this.#dashboard.benchmarkSource(...args);
  }

  listCommentary(...args: Parameters<BoardReportRepository["listCommentary"]>) {
    return this.#report.listCommentary(...args);
  }

  saveCommentary(...args: Parameters<BoardReportRepository["saveCommentary"]>) {
    return this.#report.saveCommentary(...args);
  }

  boardReport(...args: Parameters<BoardReportRepository["boardReport"]>) {
    return this.#report.boardReport(...args);
  }

  startBoardReportJob(...args: Parameters<BoardReportRepository["startBoardReportJob"]>) {
    return this.#report.startBoardReportJob(...args);
  }

  boardReportJob(...args: Parameters<BoardReportRepository["boardReportJob"]>) {
    return this.#report.boardReportJob(...args);
  }

  boardReportFile(...args: Parameters<BoardReportRepository["boardReportFile"]>) {
    return this.#report.boardReportFile(...args);
  }

  recordBoardReportStep(...args: Parameters<BoardReportRepository["recordBoardReportStep"]>) {
    return this.#report.recordBoardReportStep(...args);
  }

  finishBoardReportJob(...args: Parameters<BoardReportRepository["finishBoardReportJob"]>) {
    return this.#report.finishBoardReportJob(...args);
  }

  failBoardReportJob(...args: Parameters<BoardReportRepository["failBoardReportJob"]>) {
    return this.#report.failBoardReportJob(...args);
  }

  boardSettings(...args: Parameters<BoardSettingsRepository["boardSettings"]>) {
    return this.#settings.boardSettings(...args);
  }

  saveBoardSettings(...args: Parameters<BoardSettingsRepository["saveBoardSettings"]>) {
    return this.#settings.saveBoardSettings(...args);
  }
}
