// SPDX-License-Identifier: MIT
/**
 * The quarterly board report: its commentary, its figures, and the report jobs any app process can
 * report on. Analysts and safeguarding leads only.
 */
import { sql, type UpdateObject } from "kysely";
import { type ChangeResult, done, type MethodAccess, refused, type Trx } from "../data/repository-scope.ts";
import type { HearthSchema } from "../db/schema.ts";
import { currentPartnership } from "../kernel/sql.ts";
import type { ReportStep } from "./board-report.ts";
import { POPULATION_BASIS_LABELS, readBoardSettings } from "./board-settings.ts";
import {
  type BoardReportJob,
  comparedAsRate,
  IndicatorsAreaRepository,
  KEPT_HOURS,
  mayWriteCommentary,
  type Scope,
  STALLED_MINUTES,
  seesPartnershipFigures,
  today,
} from "./indicators-context.ts";
import { loadChildren } from "./loader.ts";
import { type Period, periodFromKey, recentQuarters, recentYears, reportingYearOf } from "./model.ts";
import { compute, type Figure, INDICATORS, type Indicator, indicatorById } from "./registry.ts";
import { dashboardAsOf } from "./snapshots.ts";
import { storedBoardFigures } from "./stored-pages.ts";

export class BoardReportRepository extends IndicatorsAreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof BoardReportRepository, MethodAccess> = {
    listCommentary: "guarded",
    saveCommentary: "guarded",
    boardReport: "guarded",
    startBoardReportJob: "guarded",
    boardReportJob: "guarded",
    boardReportFile: "guarded",
    recordBoardReportStep: "guarded",
    finishBoardReportJob: "guarded",
    failBoardReportJob: "guarded",
  };

  /** The board's commentary for a quarter, by indicator id. */
  listCommentary(periodKey: string): Promise<Map<string, string>> {
    if (!this.callerScope()) return Promise.resolve(new Map());
    return this.scope.run(async (trx) => {
      const rows = await trx
        .selectFrom("indicator_commentary")
        .select(["indicator_id", "body"])
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("period", "=", periodKey)
        .execute();
      return new Map(rows.map((r) => [r.indicator_id, r.body]));
    });
  }

  /**
   * Writes the commentary on one indicator (or "overview") for a quarter's board report. Analysts and
   * safeguarding leads only; audited with the change.
   */
  saveCommentary(periodKey: string, indicatorId: string, body: string): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx || !mayWriteCommentary(ctx.role))
      return Promise.resolve(refused("Only analysts and safeguarding leads can write commentary"));
    if (!/^\d{4}-Q[1-4]$/.test(periodKey)) return Promise.resolve(refused("Choose a quarter", "period"));
    if (indicatorId !== "overview" && !indicatorById(indicatorId))
      return Promise.resolve(refused("Unknown indicator"));
    if (body.length > 4000)
      return Promise.resolve(refused("Commentary must be 4,000 characters or fewer", indicatorId));
    return this.scope.run(async (trx) => {
      const before = await trx
        .selectFrom("indicator_commentary")
        .select("body")
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("period", "=", periodKey)
        .where("indicator_id", "=", indicatorId)
        .executeTakeFirst();
      if ((before?.body ?? "") === body) return done(null);
      await trx
        .insertInto("indicator_commentary")
        .values({
          partnership_id: ctx.partnershipId,
          period: periodKey,
          indicator_id: indicatorId,
          body,
          updated_by: ctx.userId,
          updated_at: new Date(),
        })
        .onConflict((oc) =>
          oc.columns(["partnership_id", "period", "indicator_id"]).doUpdateSet({
            body,
            updated_by: ctx.userId,
            updated_at: new Date(),
          }),
        )
        .execute();
      await this.scope.audit(trx, {
        action: "update",
        recordType: "indicator-commentary",
        recordId: `${periodKey}/${indicatorId}`,
        details: { body: [before?.body ?? null, body] },
      });
      return done(null);
    });
  }

  /**
   * Everything the quarterly board report shows: the headline indicators with their quarterly and yearly
   * figures, benchmarks, commentary, and every definition. Partnership figures only (analysts and leads).
   * @param quarterKey - e.g. "2025-Q4".
   */
  boardReport(quarterKey: string) {
    const ctx = this.ctx;
    const period = periodFromKey(quarterKey);
    if (!ctx || !seesPartnershipFigures(ctx.role) || !period || period.kind !== "quarter")
      return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const quarters = recentQuarters(period.end, 5);
      const years = recentYears(period.end, 5);
      const { population, figureOf } = await this.#boardFigures(trx, [...quarters, ...years]);
      const benchmarks = await this.benchmarksFor(trx, INDICATORS);
      const partnership = await trx
        .selectFrom("partnerships")
        .select(["name", "local_authority_codes"])
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .executeTakeFirst();
      const commentary = await trx
        .selectFrom("indicator_commentary")
        .select(["indicator_id", "body"])
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("period", "=", quarterKey)
        .execute();
      const rateComparisons = await this.benchmarksFor(trx, INDICATORS, true);
      const settings = await readBoardSettings(trx);
      const { codes, areas } = await this.authorityAreas(trx);
      const rows = INDICATORS.map((indicator) => ({
        indicator,
        comparedAsRate: comparedAsRate(indicator),
        comparison: (rateComparisons.get(indicator.id) ?? []).slice(-5),
        populations: years.map((p) => ({ year: p.year, population: population(p.year) })),
        quarters: quarters.map((p) => ({ period: p, figure: figureOf(indicator, p) })),
        years: years.map((p) => ({ period: p, figure: figureOf(indicator, p) })),
        benchmarks: (benchmarks.get(indicator.id) ?? []).slice(-3),
      }));
      await this.scope.audit(trx, {
        action: "export",
        recordType: "board-report",
        recordId: quarterKey,
        details: { indicators: rows.length },
      });
      return {
        partnershipName: partnership?.name ?? "",
        authorityCodes: codes,
        authorities: codes.map((code) => ({
          code,
          name: areas.find((a) => a.area_code === code)?.name ?? code,
        })),
        region: areas[0]?.region_name ?? null,
        strategyNames: settings.strategyNames,
        targets: settings.targets,
        populationBasis: settings.populationBasis,
        populationLabel: POPULATION_BASIS_LABELS[settings.populationBasis],
        period,
        reportingYear: reportingYearOf(period.end),
        generatedOn: today(),
        rows,
        commentary: new Map(commentary.map((c) => [c.indicator_id, c.body])),
      };
    });
  }

  /**
   * Every indicator's figures for the board report's periods: from the stored units when they hold
   * them (the latest complete quarter's report), otherwise computed from every child.
   */
  async #boardFigures(trx: Trx, periods: readonly Period[]) {
    const scope: Scope = { kind: "partnership" };
    const asOf = dashboardAsOf(today());
    if (
      await this.unitsServe(
        trx,
        asOf,
        periods.map((p) => p.key),
      )
    ) {
      const population = await this.populations(
        trx,
        scope,
        undefined,
        periods.map((p) => p.year),
      );
      const figures = await storedBoardFigures(trx, asOf, periods, population);
      const none: Figure = { numerator: 0, denominator: null, value: null };
      return {
        population,
        figureOf: (indicator: Indicator, p: Period) => figures.get(indicator.id)?.get(p.key) ?? none,
      };
    }
    const children = await loadChildren(trx);
    const population = await this.populations(trx, scope, children);
    return {
      population,
      figureOf: (indicator: Indicator, p: Period): Figure => {
        const { units: _u, ...figure } = compute(indicator, children, p, population(p.year));
        return figure;
      },
    };
  }

  /** The caller's id where they may make board reports; otherwise an id no job has. */
  #ownerId(): string {
    const ctx = this.ctx;
    return ctx && seesPartnershipFigures(ctx.role) ? ctx.userId : "00000000-0000-0000-0000-000000000000";
  }

  /** The caller's own report job, in the partnership; others' jobs are not theirs to see. */
  #ownJob(trx: Trx, jobId: string) {
    return trx
      .selectFrom("board_report_jobs")
      .where(sql.ref("partnership_id"), "=", currentPartnership)
      .where("job_id", "=", /^[0-9a-f-]{36}$/.test(jobId) ? jobId : "00000000-0000-0000-0000-000000000000")
      .where("requested_by", "=", this.#ownerId());
  }

  /**
   * Starts a board report for a quarter: a job row any app process can report on. Clears the caller's
   * reports older than a day. Analysts and safeguarding leads only.
   */
  startBoardReportJob(quarterKey: string): Promise<ChangeResult<{ jobId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !seesPartnershipFigures(ctx.role))
      return Promise.resolve(refused("Only analysts and safeguarding leads can make the board report"));
    const period = periodFromKey(quarterKey);
    if (period?.kind !== "quarter") return Promise.resolve(refused("Choose a quarter", "quarter"));
    return this.scope.run(async (trx) => {
      await trx
        .deleteFrom("board_report_jobs")
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("requested_by", "=", ctx.userId)
        .where("created_at", "<", sql<Date>`now() - make_interval(hours => ${KEPT_HOURS})`)
        .execute();
      const jobId = crypto.randomUUID();
      await trx
        .insertInto("board_report_jobs")
        .values({
          partnership_id: ctx.partnershipId,
          job_id: jobId,
          requested_by: ctx.userId,
          quarter: quarterKey,
        })
        .execute();
      return done({ jobId });
    });
  }

  /** The caller's report job and how far it has got, or undefined when it is not theirs or not there. */
  boardReportJob(jobId: string): Promise<BoardReportJob | undefined> {
    if (!this.ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const row = await this.#ownJob(trx, jobId)
        .select([
          "job_id",
          "quarter",
          "steps_done",
          "error",
          sql<boolean>`pdf is not null and xlsx is not null`.as("finished"),
          sql<boolean>`updated_at < now() - make_interval(mins => ${STALLED_MINUTES})`.as("stalled"),
        ])
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        jobId: row.job_id,
        quarter: row.quarter,
        stepsDone: row.steps_done as ReportStep[],
        state: row.error ? "failed" : row.finished ? "finished" : row.stalled ? "stopped" : "making",
        error: row.error,
      };
    });
  }

  /** One of the caller's finished report's files. */
  boardReportFile(jobId: string, format: "pdf" | "xlsx"): Promise<Buffer | undefined> {
    if (!this.ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const row = await this.#ownJob(trx, jobId).select(format).executeTakeFirst();
      const file = row?.[format];
      return file ? Buffer.from(file) : undefined;
    });
  }

  /** Changes the caller's own report job (nothing, for anyone else's). */
  #updateOwnJob(jobId: string, changes: UpdateObject<HearthSchema, "board_report_jobs">): Promise<void> {
    if (!this.ctx) return Promise.resolve();
    return this.scope.run(async (trx) => {
      await trx
        .updateTable("board_report_jobs")
        .set({ ...changes, updated_at: sql<Date>`now()` })
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("job_id", "=", jobId)
        .where("requested_by", "=", this.#ownerId())
        .execute();
    });
  }

  /** Marks a step of the caller's report done. */
  recordBoardReportStep(jobId: string, step: ReportStep): Promise<void> {
    return this.#updateOwnJob(jobId, {
      steps_done: sql<string[]>`array_append(array_remove(steps_done, ${step}), ${step})`,
    });
  }

  /** Stores the caller's finished report's files. */
  finishBoardReportJob(jobId: string, files: { pdf: Uint8Array; xlsx: Uint8Array }): Promise<void> {
    return this.#updateOwnJob(jobId, { pdf: files.pdf, xlsx: files.xlsx });
  }

  /** Records why the caller's report could not be made. */
  failBoardReportJob(jobId: string, message: string): Promise<void> {
    return this.#updateOwnJob(jobId, { error: message.slice(0, 2000) });
  }
}
