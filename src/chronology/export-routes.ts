// SPDX-License-Identifier: MIT
/** The family chronology exported as PDF or CSV, with the filters applied named in the PDF. */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../web/app.ts";
import { notFound } from "../web/guards.ts";
import { idParam } from "../web/request-values.ts";
import { describeFilters, parseFilters, toRepositoryFilters } from "./chronology-filters.ts";
import { away, SIGNED_IN } from "./chronology-route-helpers.ts";
import { chronologyCsv, chronologyPdf } from "./exports.ts";

export const registerChronologyExportRoutes = ({ app }: AppContext): void => {
  const exportChronology = async (request: FastifyRequest, reply: FastifyReply, format: "pdf" | "csv") => {
    const personId = idParam(request, "personId");
    if (!personId) return notFound(reply);
    const { values } = parseFilters(request.query);
    const chronology = await request.repo.chronology.familyChronology(
      personId,
      toRepositoryFilters(values),
      format === "pdf" ? "export-pdf" : "export-csv",
    );
    if (!chronology) return away(reply, personId);
    const names = {
      person: chronology.members.find((m) => m.person_id === values.person)?.name,
      agency: chronology.agencies.find((a) => a.agency_id === values.agency)?.name,
    };
    const slug =
      chronology.child.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "") || "child";
    reply.header("cache-control", "no-store");
    reply.header("x-content-type-options", "nosniff");
    if (format === "csv") {
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="family-chronology-${slug}.csv"`)
        .send(chronologyCsv(chronology));
    }
    const generatedBy = request.session?.stage === "complete" ? request.session.displayName : "Hearth";
    const pdf = await chronologyPdf(chronology, describeFilters(values, names), generatedBy);
    return reply
      .type("application/pdf")
      .header("content-disposition", `attachment; filename="family-chronology-${slug}.pdf"`)
      .send(pdf);
  };

  app.get("/people/:personId/family-chronology.pdf", { preHandler: SIGNED_IN }, (request, reply) =>
    exportChronology(request, reply, "pdf"),
  );
  app.get("/people/:personId/family-chronology.csv", { preHandler: SIGNED_IN }, (request, reply) =>
    exportChronology(request, reply, "csv"),
  );
};
