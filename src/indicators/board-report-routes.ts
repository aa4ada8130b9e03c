// SPDX-License-Identifier: MIT
/**
 * The quarterly board report's pages: commentary, then the PDF and XLSX made in the background with
 * their progress shown, and the files to download.
 */
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { todayInEngland } from "../kernel/calendar.ts";
import type { AppContext } from "../web/app.ts";
import { notFound } from "../web/guards.ts";
import { formBody, textParam } from "../web/request-values.ts";
import { runInBackground } from "./background.ts";
import {
  boardReportPdf,
  boardReportXlsx,
  HEADLINE_IDS as HEADLINE,
  type ReportStep,
} from "./board-report.ts";
import { BOARD, optional } from "./indicator-route-helpers.ts";
import { lastCompleteQuarterEnd, periodFromKey, recentQuarters } from "./model.ts";
import { INDICATORS } from "./registry.ts";

const ZQuarter = z.object({ quarter: optional(z.string().regex(/^\d{4}-Q[1-4]$/)) });

const STEPS: ReportStep[] = ["figures", "charts", "pdf", "xlsx"];
export const STEP_LABELS: Record<ReportStep, string> = {
  figures: "Compute every indicator for the quarter and the year",
  charts: "Draw the charts",
  pdf: "Write the PDF",
  xlsx: "Write the spreadsheet (XLSX)",
};

/** The board report: its commentary, making it in the background, its progress and its files. */
export const registerBoardReportRoutes = ({ app }: AppContext): void => {
  app.get("/indicators/board-report", { preHandler: BOARD }, async (request, reply) => {
    const parsed = ZQuarter.safeParse(request.query);
    const quarters = recentQuarters(lastCompleteQuarterEnd(todayInEngland()), 8).reverse();
    const quarter = (parsed.success ? parsed.data.quarter : undefined) ?? quarters[0]?.key ?? "";
    const commentary = await request.repo.indicators.listCommentary(quarter);
    return reply.page("indicators/views/board-report.njk", {
      title: "Board report",
      quarter,
      quarterLabel: periodFromKey(quarter)?.label ?? quarter,
      quarters: quarters.map((q) => ({ value: q.key, text: q.label, selected: q.key === quarter })),
      overview: commentary.get("overview") ?? "",
      headline: INDICATORS.filter((i) => HEADLINE.includes(i.id)).map((i) => ({
        id: i.id,
        title: i.title,
        text: commentary.get(i.id) ?? "",
      })),
      saved: (request.query as Record<string, string>).saved === "1",
    });
  });

  app.post("/indicators/board-report/commentary", { preHandler: BOARD }, async (request, reply) => {
    const body = formBody(request);
    const quarter =
      typeof body.quarter === "string" && /^\d{4}-Q[1-4]$/.test(body.quarter) ? body.quarter : undefined;
    if (!quarter)
      return reply.code(400).page("web/views/error.njk", {
        title: "Choose a quarter",
        message: "Choose a quarter for the report.",
      });
    for (const id of ["overview", ...HEADLINE]) {
      const text = body[`commentary-${id}`];
      if (typeof text !== "string") continue;
      const saved = await request.repo.indicators.saveCommentary(quarter, id, text.trim());
      if (!saved.ok)
        return reply
          .code(400)
          .page("web/views/error.njk", { title: "Commentary not saved", message: saved.message });
    }
    return reply.redirect(`/indicators/board-report?quarter=${quarter}&saved=1`, 303);
  });

  app.post("/indicators/board-report/generate", { preHandler: BOARD }, async (request, reply) => {
    const body = formBody(request);
    const quarter =
      typeof body.quarter === "string" && /^\d{4}-Q[1-4]$/.test(body.quarter) ? body.quarter : undefined;
    const userId = request.session?.context.userId;
    if (!quarter || !userId)
      return reply.code(400).page("web/views/error.njk", {
        title: "Choose a quarter",
        message: "Choose a quarter for the report.",
      });
    const repo = request.repo.indicators;
    const started = await repo.startBoardReportJob(quarter);
    if (!started.ok)
      return reply
        .code(400)
        .page("web/views/error.njk", { title: "Choose a quarter", message: started.message });
    const { jobId } = started.value;
    // The report is made after the response; its progress and files are kept in the job's row, so any
    // app process can show them. Steps are recorded in order, one write at a time.
    let progress = Promise.resolve();
    const mark = (step: ReportStep) => {
      progress = progress.then(() => repo.recordBoardReportStep(jobId, step));
    };
    runInBackground(
      async () => {
        const found = await repo.boardReport(quarter);
        if (!found) throw new Error("You cannot make this report");
        const data = { ...found, training: await request.repo.training.coverage() };
        mark("figures");
        const pdf = await boardReportPdf(data, mark);
        const xlsx = await boardReportXlsx(data, mark);
        await progress;
        await repo.finishBoardReportJob(jobId, { pdf, xlsx });
      },
      (error) => repo.failBoardReportJob(jobId, error instanceof Error ? error.message : String(error)),
    );
    return reply.redirect(`/indicators/board-report/jobs/${jobId}`, 303);
  });

  const jobParam = (request: FastifyRequest) => textParam(request, "jobId");

  app.get("/indicators/board-report/jobs/:jobId", { preHandler: BOARD }, async (request, reply) => {
    const job = await request.repo.indicators.boardReportJob(jobParam(request));
    if (!job) return notFound(reply);
    return reply.page("indicators/views/report-job.njk", {
      title: "Board report",
      jobId: job.jobId,
      quarterLabel: periodFromKey(job.quarter)?.label ?? job.quarter,
      steps: STEPS.map((step) => ({ label: STEP_LABELS[step], done: job.stepsDone.includes(step) })),
      done: job.stepsDone.length,
      total: STEPS.length,
      finished: job.state === "finished",
      stopped: job.state === "stopped",
      autoRefresh: job.state === "making" && (request.query as Record<string, string>).refresh !== "off",
      error: job.error,
    });
  });

  for (const format of ["pdf", "xlsx"] as const) {
    app.get(
      `/indicators/board-report/jobs/:jobId/report.${format}`,
      { preHandler: BOARD },
      async (request, reply) => {
        const job = await request.repo.indicators.boardReportJob(jobParam(request));
        if (!job) return notFound(reply);
        const file = await request.repo.indicators.boardReportFile(job.jobId, format);
        if (!file) return notFound(reply);
        reply.header("cache-control", "no-store");
        return reply
          .type(
            format === "pdf"
              ? "application/pdf"
              : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          )
          .header("content-disposition", `attachment; filename="board-report-${job.quarter}.${format}"`)
          .send(file);
      },
    );
  }
};
