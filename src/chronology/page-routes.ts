// SPDX-License-Identifier: MIT
/**
 * A child's chronology and the family chronology: filtered, paged, with the timeline chart grouped by
 * agency or by person, and a notice after an entry was added, amended or retracted.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { mayRecord, seesSupersededEntries } from "../data/child-access.ts";
import type { AppContext } from "../web/app.ts";
import { notFound } from "../web/guards.ts";
import { idParam } from "../web/request-values.ts";
import { parseFilters, queryString, toRepositoryFilters } from "./chronology-filters.ts";
import { SOCIAL_CARE_TYPE } from "./chronology-repository.ts";
import { away, SIGNED_IN } from "./chronology-route-helpers.ts";
import { EVENT_TYPES, NEGLECT_TYPES, SIGNIFICANCE } from "./codes.ts";
import { pagination } from "./paging.ts";
import { buildTimeline, type TimelineGrouping } from "./timeline.ts";

/** Entries on one page of a chronology: the first screen stays quick however long the record. */
export const PER_PAGE = 50;

export const registerChronologyPageRoutes = ({ app }: AppContext): void => {
  const chronologyPage = async (request: FastifyRequest, reply: FastifyReply, family: boolean) => {
    const personId = idParam(request, "personId");
    if (!personId) return notFound(reply);
    const { values, errors, typed } = parseFilters(request.query);
    const repo = request.repo.chronology;
    const filters = toRepositoryFilters(values);
    const rawPage = Number((request.query as Record<string, unknown>).page);
    const paging = { page: Number.isSafeInteger(rawPage) && rawPage > 0 ? rawPage : 1, perPage: PER_PAGE };
    const chronology = family
      ? await repo.familyChronology(personId, filters, "family-chronology", paging)
      : await repo.childChronology(personId, filters, paging);
    if (!chronology) return away(reply, personId);
    const rawBy = (request.query as Record<string, unknown>).by;
    const by: TimelineGrouping =
      rawBy === "agency" || rawBy === "person" ? rawBy : family ? "person" : "agency";
    const timeline = buildTimeline(chronology, by, chronology.child.name);
    const filterValues = { ...values, from: undefined, to: undefined, ...typed };
    const filterQuery = queryString(filterValues);
    const path = `/people/${personId}/${family ? "family-chronology" : "chronology"}`;
    const role = request.repo.context?.role;
    return reply.page("chronology/views/chronology.njk", {
      title: `${family ? "Family chronology" : "Chronology"}: ${chronology.child.name}`,
      family,
      personId,
      chronology,
      timeline,
      by,
      errors,
      values,
      typed,
      filterQuery,
      byQuery: (grouping: string) => queryString({ ...filterValues, by: grouping }),
      pagination: pagination(path, { ...filterValues, by }, chronology.page, chronology.total, PER_PAGE),
      SOCIAL_CARE_TYPE,
      seesHistory: role ? seesSupersededEntries(role) : false,
      // The chronology was read, so the caller may open the record: whether she may add to it is her role's.
      mayAdd: role ? mayRecord(role) : false,
      notice: noticeFor((request.query as Record<string, unknown>).done),
      EVENT_TYPES,
      NEGLECT_TYPES,
      SIGNIFICANCE,
    });
  };

  app.get("/people/:personId/chronology", { preHandler: SIGNED_IN }, (request, reply) =>
    chronologyPage(request, reply, false),
  );
  app.get("/people/:personId/family-chronology", { preHandler: SIGNED_IN }, (request, reply) =>
    chronologyPage(request, reply, true),
  );
};

const noticeFor = (done: unknown): string | undefined =>
  ({
    added: "The entry has been added to the chronology.",
    amended: "The entry has been amended. The original is kept.",
    retracted: "The entry has been retracted. It is kept, with your reason, for auditors.",
  })[String(done)];
