// SPDX-License-Identifier: MIT
/**
 * Agency imports in the browser:
 * - /imports: the caller's agency's imports (every agency's for a safeguarding lead) and the upload form;
 * - /imports/:importId: progress (rows done of the total; a "Check progress" link, as the board report
 *   does, rather than an automatic refresh, which WCAG 2.2.1 counts against a page), the rows by fate, the
 *   rejects file and the review list's count;
 * - /imports/:importId/review: the matches waiting for a person, one form per row;
 * - /imports/mappings: each agency's saved mappings (which column holds which field), every version, read
 *   only (new versions are saved with `hearth mapping save`), for whoever may see that agency's imports.
 * Refusals are 403s, which the app audits as denials.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { runInBackground } from "../indicators/background.ts";
import type { AppContext } from "../web/app.ts";
import { addError, type FormErrors, noErrors } from "../web/forms.ts";
import { forbidden, notFound, requireAllowed } from "../web/guards.ts";
import { formBody, textParam } from "../web/request-values.ts";
import {
  IMPORT_FORMAT_CODES,
  IMPORT_FORMATS,
  type ImportFormat,
  isImportFormat,
  MAPPING_FIELDS,
  MAPPING_VALUES,
  ROW_FATE_CODES,
  ROW_FATES,
} from "./codes.ts";
import { DEFAULT_MAPPINGS, type ImportMapping } from "./formats.ts";
import { MAX_UPLOAD_BYTES } from "./imports-repository.ts";

const IMPORTERS = requireAllowed("imports.run");

const importParam = (request: FastifyRequest) => textParam(request, "importId");

type Upload = { filename: string; buffer: Buffer };
declare module "fastify" {
  interface FastifyRequest {
    /** The file of a multipart upload, kept with its name. */
    hearthUpload?: Upload;
  }
}

export const registerImportRoutes = ({ app }: AppContext): void => {
  const listPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FormErrors,
    values: Record<string, unknown> = {},
  ) => {
    const list = await request.repo.imports.listImports();
    if (!list) return forbidden(reply);
    return reply.code(errors.list.length > 0 ? 400 : 200).page("imports/views/imports.njk", {
      title: "Imports",
      agencyName: list.agencyName,
      imports: list.imports,
      formats: IMPORT_FORMAT_CODES.map((code) => ({
        value: code,
        text: IMPORT_FORMATS[code],
        checked: values.format === code,
      })),
      formatLabels: IMPORT_FORMATS,
      errors,
      values,
      maxMegabytes: MAX_UPLOAD_BYTES / 1024 / 1024,
    });
  };

  app.get("/imports", { preHandler: IMPORTERS }, (request, reply) =>
    listPage(request, reply, { fields: {}, list: [] }),
  );
  app.post(
    "/imports",
    {
      preHandler: IMPORTERS,
      config: { multipartOptions: { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 } } },
    },
    async (request, reply) => {
      const body = formBody(request);
      const errors = noErrors();
      const add = (field: string, text: string) => addError(errors, field, text);
      const format = body.format;
      if (!isImportFormat(format)) add("format", "Select the kind of file");
      const upload = request.hearthUpload;
      if (!upload || upload.buffer.length === 0) add("file", "Choose the file to import");
      let content = "";
      if (upload && upload.buffer.length > 0) {
        content = upload.buffer.toString("utf8");
        if (content.includes("\u0000") || content.includes("\uFFFD"))
          add("file", "The file is not text (CSV or JSON in UTF-8): check you chose the right file");
      }
      if (errors.list.length > 0 || !isImportFormat(format) || !upload)
        return listPage(request, reply, errors, { format });
      const started = await request.repo.imports.startImport(format, upload.filename || "upload", content);
      if (!started.ok) {
        if (started.denied) return forbidden(reply);
        add("file", `The file cannot be imported: ${started.message}. Nothing was imported.`);
        return listPage(request, reply, errors, { format });
      }
      const repo = request.repo.imports;
      const { importId } = started.value;
      runInBackground(
        () => repo.continueImport(importId),
        (error) => request.log.error({ err: error, importId }, "import failed"),
      );
      return reply.redirect(`/imports/${importId}`, 303);
    },
  );

  app.get("/imports/mappings", { preHandler: IMPORTERS }, async (request, reply) => {
    const list = await request.repo.imports.listMappings();
    if (!list) return forbidden(reply);
    const own = list.agencies.find((a) => a.agency_id === list.ownAgencyId);
    // Each mapping's columns in the order of the format's fields (identity first), not the stored order.
    const ordered = (format: ImportFormat, mapping: ImportMapping) => {
      const order = Object.keys(DEFAULT_MAPPINGS[format].columns);
      const rank = (field: string) => (order.includes(field) ? order.indexOf(field) : order.length);
      return {
        columns: Object.entries(mapping.columns)
          .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
          .map(([field, column]) => ({ field, column })),
        values: Object.entries(mapping.values ?? {}).map(([code, values]) => ({ code, values })),
      };
    };
    return reply.page("imports/views/mappings.njk", {
      title: "Import mappings",
      agencies: list.agencies.map((agency) => ({
        ...agency,
        formats: agency.formats.map((f) => ({
          format: f.format,
          versions: f.versions.map((v) => ({ ...v, mapping: ordered(f.format, v.mapping) })),
        })),
      })),
      ownAgencyId: list.ownAgencyId,
      // The caller's agency's formats with no saved mapping yet: the default its first import will save.
      defaults: IMPORT_FORMAT_CODES.filter((code) => !own?.formats.some((f) => f.format === code)).map(
        (code) => ({ format: code, mapping: ordered(code, DEFAULT_MAPPINGS[code]) }),
      ),
      formatLabels: IMPORT_FORMATS,
      fieldLabels: MAPPING_FIELDS,
      valueLabels: MAPPING_VALUES,
    });
  });

  app.get("/imports/:importId", { preHandler: IMPORTERS }, async (request, reply) => {
    const status = await request.repo.imports.importStatus(importParam(request));
    if (!status) return forbidden(reply);
    return reply.page("imports/views/import.njk", {
      title: `Import of ${status.fileName}`,
      status,
      formatLabel: IMPORT_FORMATS[status.format],
      fates: ROW_FATE_CODES.map((code) => ({ code, label: ROW_FATES[code], count: status.counts[code] })),
      percent: status.total > 0 ? Math.floor((status.done / status.total) * 100) : 100,
    });
  });

  app.post("/imports/:importId/continue", { preHandler: IMPORTERS }, async (request, reply) => {
    const importId = importParam(request);
    const status = await request.repo.imports.importStatus(importId);
    if (!status) return forbidden(reply);
    if (!status.finished) {
      const repo = request.repo.imports;
      runInBackground(
        () => repo.continueImport(importId),
        (error) => request.log.error({ err: error, importId }, "import failed"),
      );
    }
    return reply.redirect(`/imports/${importId}`, 303);
  });

  app.get("/imports/:importId/rejects.csv", { preHandler: IMPORTERS }, async (request, reply) => {
    const csv = await request.repo.imports.rejects(importParam(request));
    if (csv === undefined) return forbidden(reply);
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="import-${importParam(request)}-rejects.csv"`)
      .send(csv);
  });

  const reviewPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FormErrors = noErrors(),
    decided?: string,
  ) => {
    const importId = importParam(request);
    const list = await request.repo.imports.reviewList(importId);
    if (!list) return forbidden(reply);
    return reply.code(errors.list.length > 0 ? 400 : 200).page("imports/views/review.njk", {
      title: "Matches to review",
      importId,
      agencyName: list.agencyName,
      rows: list.rows,
      errors,
      decided,
    });
  };

  app.get("/imports/:importId/review", { preHandler: IMPORTERS }, (request, reply) =>
    reviewPage(request, reply, undefined, (request.query as Record<string, string>).decided),
  );

  app.post("/imports/:importId/review/:rowNumber", { preHandler: IMPORTERS }, async (request, reply) => {
    const importId = importParam(request);
    const rowRaw = textParam(request, "rowNumber");
    const rowNumber = /^\d{1,9}$/.test(rowRaw) ? Number(rowRaw) : Number.NaN;
    if (!Number.isInteger(rowNumber)) return notFound(reply);
    const body = formBody(request);
    const person = typeof body.person === "string" ? body.person : "";
    const reason = typeof body.reason === "string" ? body.reason : "";
    const fieldId = `row-${rowNumber}`;
    const fail = (text: string) =>
      reviewPage(request, reply, { fields: { [fieldId]: { text } }, list: [{ text, href: `#${fieldId}` }] });
    if (person === "") return fail(`Row ${rowNumber}: choose who this is, or that it is none of them`);
    const decision =
      person === "none"
        ? { reject: reason }
        : /^[0-9a-f-]{36}$/i.test(person)
          ? { confirm: person }
          : undefined;
    if (!decision) return fail(`Row ${rowNumber}: choose one of the people offered`);
    const result = await request.repo.imports.decide(importId, rowNumber, decision);
    if (!result.ok) {
      if (result.denied) return forbidden(reply);
      return fail(`Row ${rowNumber}: ${result.message}`);
    }
    return reply.redirect(`/imports/${importId}/review?decided=${rowNumber}`, 303);
  });
};
