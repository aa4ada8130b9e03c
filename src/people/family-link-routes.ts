// SPDX-License-Identifier: MIT
/**
 * Linking records from a child's record: recording a relationship, and merging a duplicate record into
 * this one (safeguarding leads), which can be undone.
 */
import { z } from "zod";
import type { AppContext } from "../web/app.ts";
import { fieldError, parseForm, refusalStatus } from "../web/forms.ts";
import { requireAllowed } from "../web/guards.ts";
import { formBody, idParam, textField } from "../web/request-values.ts";
import { RECORDERS, showRecord, ZReason, ZRelationship } from "./people-route-helpers.ts";

export const registerFamilyLinkRoutes = ({ app }: AppContext): void => {
  // Family: relationships.
  app.post("/people/:personId/relationships", { preHandler: RECORDERS }, async (request, reply) => {
    const id = idParam(request, "personId");
    if (!id) return reply.callNotFound();
    const form = parseForm(ZRelationship, request.body);
    if (!form.ok) return showRecord(request, reply, id, form.errors, { refuseUnopened: true });
    // The form reads "<other person> is the <type> of this child".
    const result = await request.repo.people.addRelationship({
      personId: form.values.relatedPersonId,
      relatedPersonId: id,
      relationshipType: form.values.relationshipType,
      parentalResponsibility: form.values.parentalResponsibility,
      validFrom: null,
    });
    if (!result.ok)
      return showRecord(request, reply, id, fieldError(result.field ?? "relatedPersonId", result.message), {
        refuseUnopened: true,
        status: refusalStatus(result),
      });
    return reply.redirect(`/people/${id}`, 303);
  });

  // Merging duplicate records.
  const ZMerge = z.object({
    mergedPersonId: z.uuid({ error: "Enter the Hearth record number of the duplicate record" }),
    mergeReason: ZReason("why these records are the same person"),
  });

  app.post(
    "/people/:personId/merges",
    { preHandler: requireAllowed("people.merge") },
    async (request, reply) => {
      const id = idParam(request, "personId");
      if (!id) return reply.callNotFound();
      const form = parseForm(ZMerge, request.body);
      if (!form.ok) return showRecord(request, reply, id, form.errors, { refuseUnopened: true });
      const result = await request.repo.people.mergePeople(
        id,
        form.values.mergedPersonId,
        form.values.mergeReason,
      );
      if (!result.ok)
        return showRecord(
          request,
          reply,
          id,
          fieldError(result.field === "reason" ? "mergeReason" : "mergedPersonId", result.message),
          { refuseUnopened: true, status: refusalStatus(result) },
        );
      return reply.redirect(`/people/${id}?merged=1`, 303);
    },
  );

  app.post<{ Params: { personId: string; mergeId: string } }>(
    "/people/:personId/merges/:mergeId/undo",
    { preHandler: requireAllowed("people.merge") },
    async (request, reply) => {
      const id = idParam(request, "personId");
      const mergeId = idParam(request, "mergeId");
      if (!id || !mergeId) return reply.callNotFound();
      const reason = textField(formBody(request), "undoReason");
      const result = await request.repo.people.undoMerge(mergeId, reason);
      if (!result.ok)
        return showRecord(request, reply, id, fieldError("undoReason", result.message), {
          refuseUnopened: true,
        });
      return reply.redirect(`/people/${id}?unmerged=1`, 303);
    },
  );
};
