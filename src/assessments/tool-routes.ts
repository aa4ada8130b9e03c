// SPDX-License-Identifier: MIT
/**
 * The administrator's tool library: the partnership's tools and their versions, the templates of the
 * strategies' tool shapes, and publishing. A tool file (uploaded, pasted, or a template) is checked and
 * shown in full first: every section as practitioners will meet it, the level rules run on sample
 * answers, and what changed since the version before. Only a separate "Publish" confirmation publishes
 * it, and only if it is exactly the file that was shown.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type FormErrors, noErrors, showForm } from "../web/forms.ts";
import { notFound, requireAllowed } from "../web/guards.ts";
import { formBody, textParam } from "../web/request-values.ts";
import {
  AGE_BAND_CODES,
  AGE_BANDS,
  FRAMEWORK_DIMENSIONS,
  LICENCE_KINDS,
  MEANINGS,
  TOOL_TIERS,
} from "./codes.ts";
import { pointLabel, scaleOf } from "./engine.ts";
import { templateTools } from "./tool-library.ts";
import type { ToolPreview } from "./tool-library-repository.ts";
import { SAMPLE_KINDS, type SampleKind, sampleOutcomes, toolDiff } from "./tool-preview.ts";
import type { Aggregation, Scale, ToolContent } from "./tool-schema.ts";

const ADMINISTRATORS = requireAllowed("admin.assessment-tools");
/** The largest tool file accepted, in bytes. */
const MAX_FILE_BYTES = 500_000;

/** A file one byte over the limit arrives cut short, so the page can say the file is too large. */
const UPLOAD_LIMITS = {
  multipartOptions: { limits: { fileSize: MAX_FILE_BYTES + 1, files: 1 }, throwFileSizeLimit: false },
};

const VIEW_GLOBALS = { AGE_BANDS, FRAMEWORK_DIMENSIONS, LICENCE_KINDS, MEANINGS, TOOL_TIERS };

const formError = (field: string, messages: string[]): FormErrors => {
  const errors = noErrors();
  errors.fields[field] = { text: messages.join(". ") };
  errors.list = messages.map((text) => ({ text, href: `#${field}` }));
  return errors;
};

/** How a domain's or section's answers are combined, in words. */
const aggregationInWords = (agg: Aggregation, scale: Scale | undefined): string => {
  const atOrWorse =
    agg.at_or_worse === undefined ? "" : scale ? pointLabel(scale, agg.at_or_worse) : String(agg.at_or_worse);
  const computed = (method: string | undefined) =>
    method === "worst"
      ? "the worst answer"
      : method === "median"
        ? "the median of the answers"
        : method === "mean"
          ? "the mean of the answers, to the nearest point"
          : method === "count_at_or_worse"
            ? `the number of answers at "${atOrWorse}" or worse`
            : "not combined";
  if (agg.method === "none") return "Not combined";
  const minimum = agg.min_answered > 1 ? ` (at least ${agg.min_answered} answers needed)` : "";
  if (agg.method === "judgement")
    return `The practitioner confirms a grade; Hearth suggests ${computed(agg.suggest ?? "worst")}${minimum}${agg.override_allowed ? "" : "; the suggestion cannot be changed"}`;
  const text = computed(agg.method);
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${minimum}`;
};

const scaleInWords = (scale: Scale): string =>
  `${scale.label ?? scale.id}: ${scale.points.length} points from ${pointLabel(scale, scale.min)} to ${pointLabel(scale, scale.max)}, ${scale.direction === "higher_worse" ? "a higher value is worse" : "a higher value is better"}`;

/** The page's view of a tool: every section, domain and item as practitioners will meet it. */
const toolView = (tool: ToolContent) => {
  const scaleById = (id: string) => tool.scales.find((s) => s.id === id);
  const bands = (list: readonly string[] | undefined) =>
    list ? list.map((b) => AGE_BANDS[b as keyof typeof AGE_BANDS] ?? b).join("; ") : "All ages";
  return {
    scales: tool.scales.map((scale) => ({
      id: scale.id,
      summary: scaleInWords(scale),
      points: scale.points.map((p) => ({
        value: p.value,
        label: p.label,
        plain: p.plain !== p.label ? p.plain : "",
        meaning: p.meaning ? MEANINGS[p.meaning] : "",
      })),
      specials: scale.specials.map((s) => (s === "not_known" ? "Not known yet" : "Does not apply")),
    })),
    sections: tool.sections.map((section) => ({
      id: section.id,
      title: section.title,
      intro: section.intro,
      aggregation:
        section.aggregation.method === "none"
          ? undefined
          : aggregationInWords(section.aggregation, scaleById(section.domains[0]?.scale ?? "")),
      domains: section.domains.map((domain) => ({
        id: domain.id,
        title: domain.title,
        summary: domain.summary,
        ages: bands(domain.applies_to),
        aggregation: aggregationInWords(domain.aggregation, scaleById(domain.scale)),
        framework: (domain.framework ?? []).map((f) => FRAMEWORK_DIMENSIONS[f]).join("; "),
        items: domain.items.map((item) => {
          const scale = scaleOf(tool, item.scale);
          return {
            id: item.id,
            title: item.title,
            plain: item.plain,
            guidance: item.guidance,
            prompts: item.prompts ?? [],
            scale: scale.label ?? scale.id,
            ages: bands(item.applies_to),
            showWhen: item.show_when
              ? `Asked only when "${item.show_when.item}" is at "${MEANINGS[item.show_when.at_or_worse]}" or worse`
              : undefined,
            descriptors: Object.entries(item.descriptors ?? {}).flatMap(([band, texts]) =>
              Object.entries(texts ?? {}).map(([value, text]) => ({
                band: band === "all" ? "All ages" : (AGE_BANDS[band as keyof typeof AGE_BANDS] ?? band),
                point: pointLabel(scale, Number(value)),
                text,
              })),
            ),
          };
        }),
      })),
    })),
    levels: tool.levels,
    rules: tool.level_rules.map((rule) => ({
      id: rule.id,
      because: rule.because,
      level: tool.levels.find((l) => l.code === rule.suggest)?.name ?? rule.suggest,
    })),
    /** Rules on change over time need earlier assessments of the child, so samples cannot fire them. */
    flagRules: tool.level_rules
      .filter((rule) => JSON.stringify(rule.when).includes('"flag"'))
      .map((r) => r.id),
    otherwise: tool.levels.find((l) => l.code === (tool.otherwise ?? tool.levels[0]?.code))?.name,
    adviseAfter: tool.advise_after ?? "all",
  };
};

/** The sample outcomes as a table (age bands by samples) and the rules fired, for one band in detail. */
const samplesView = (tool: ToolContent) => {
  const outcomes = sampleOutcomes(tool);
  const kinds = Object.keys(SAMPLE_KINDS) as SampleKind[];
  const cell = (o: (typeof outcomes)[number]) =>
    o.areas === 0
      ? "Nothing is asked at this age"
      : o.level
        ? `${o.level.name}${o.byDefault ? " (no rule fired)" : ""}`
        : (o.waiting ?? "No level suggested");
  const rows = AGE_BAND_CODES.map((band) => [
    { text: AGE_BANDS[band] },
    ...kinds.map((kind) => {
      const o = outcomes.find((x) => x.band === band && x.sample === kind);
      return { text: o ? cell(o) : "" };
    }),
  ]);
  // The band with the most areas shows which rules fired and why (a school-age child when bands tie).
  const areasOf = (band: string) => outcomes.find((o) => o.band === band)?.areas ?? 0;
  const detailBand = (["6-11", "3-5", "12-17", "0-2", "antenatal"] as const).reduce((best, band) =>
    areasOf(band) > areasOf(best) ? band : best,
  );
  const details = kinds.map((kind) => {
    const o = outcomes.find((x) => x.band === detailBand && x.sample === kind);
    return {
      sample: SAMPLE_KINDS[kind],
      level: o ? cell(o) : "",
      fired: (o?.fired ?? []).map((rule) => ({
        ...rule,
        level: tool.levels.find((l) => l.code === rule.suggest)?.name ?? rule.suggest,
      })),
    };
  });
  return {
    head: [{ text: "Age of the child" }, ...kinds.map((k) => ({ text: SAMPLE_KINDS[k] }))],
    rows,
    detailBand: AGE_BANDS[detailBand],
    details,
  };
};

const CHANGE_WORDS = { added: "Added", removed: "Removed", changed: "Changed", renamed: "Renamed" } as const;

/**
 * Registers the tool library's pages.
 * @param app - The Fastify instance.
 */
export const registerToolLibraryRoutes = (app: FastifyInstance): void => {
  const libraryPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FormErrors,
    values: Record<string, unknown>,
    notice?: string,
  ) => {
    const tools = await request.repo.assessments.listTools();
    const published = new Map(tools.map((entry) => [entry.tool.slug, entry.versions.map((v) => v.version)]));
    const templates = templateTools().map(({ content }) => {
      const domains = content.sections.flatMap((s) => s.domains);
      return {
        id: content.id,
        name: content.name,
        version: content.version,
        shape: `${content.sections.length} ${content.sections.length === 1 ? "section" : "sections"}, ${domains.length} areas, ${domains.reduce((n, d) => n + d.items.length, 0)} questions; ${content.scales.map((s) => scaleInWords(s)).join("; ")}`,
        levels: content.levels.map((l) => l.name).join("; "),
        published: published.get(content.id)?.join(", "),
      };
    });
    return showForm(reply, "assessments/views/tools.njk", errors, {
      title: "Assessment tools",
      tools,
      templates,
      values,
      notice,
      ...VIEW_GLOBALS,
    });
  };

  const previewPage = (
    reply: FastifyReply,
    preview: ToolPreview,
    text: string,
    from: { kind: "upload" | "template"; notice?: string },
  ) => {
    const { content, previous } = preview;
    const diff = previous ? toolDiff(previous.content, content) : undefined;
    return reply.page("assessments/views/tool-preview.njk", {
      title: `Check ${content.name} version ${content.version} before publishing`,
      tool: content,
      view: toolView(content),
      samples: samplesView(content),
      previous,
      diff: diff?.map((entry) => ({ ...entry, changeWords: CHANGE_WORDS[entry.change] })),
      alreadyPublished: preview.alreadyPublished,
      text,
      hash: preview.hash,
      from,
      ...VIEW_GLOBALS,
    });
  };

  app.get("/admin/assessment-tools", { preHandler: ADMINISTRATORS }, (request, reply) =>
    libraryPage(request, reply, noErrors(), {}),
  );

  // A file (multipart) or pasted text: checked and shown, never published from here.
  app.post(
    "/admin/assessment-tools",
    { preHandler: ADMINISTRATORS, config: UPLOAD_LIMITS },
    async (request, reply) => {
      const body = formBody(request);
      const upload = body.toolUpload;
      const pasted = typeof body.toolFile === "string" ? body.toolFile : "";
      let text: string;
      let field: "toolUpload" | "toolFile";
      if (Buffer.isBuffer(upload) && upload.length > 0) {
        field = "toolUpload";
        if (upload.length > MAX_FILE_BYTES)
          return libraryPage(request, reply, formError(field, ["The file must be smaller than 500 KB"]), {});
        try {
          text = new TextDecoder("utf-8", { fatal: true }).decode(upload);
        } catch {
          return libraryPage(
            request,
            reply,
            formError(field, ["The file must be a YAML text file (UTF-8); this one is not text"]),
            {},
          );
        }
      } else if (pasted.trim() !== "") {
        field = "toolFile";
        text = pasted;
        if (text.length > MAX_FILE_BYTES)
          return libraryPage(
            request,
            reply,
            formError(field, ["The file must be smaller than 500 KB"]),
            body,
          );
      } else {
        return libraryPage(
          request,
          reply,
          formError("toolUpload", ["Choose the tool's YAML file, or paste its text"]),
          {},
        );
      }
      text = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
      const preview = await request.repo.toolLibrary.previewTool(text);
      if (!preview.ok)
        return libraryPage(
          request,
          reply,
          formError(field, [
            field === "toolUpload"
              ? "The file was not published. Correct it and upload it again"
              : "Nothing was published. Correct the text and check it again",
            ...preview.message.split("\n"),
          ]),
          field === "toolFile" ? { toolFile: pasted } : {},
        );
      return previewPage(reply, preview.value, text, { kind: "upload" });
    },
  );

  const templateOf = (request: FastifyRequest) => {
    const id = textParam(request, "template");
    return templateTools().find((t) => t.content.id === id);
  };

  app.get(
    "/admin/assessment-tools/templates/:template",
    { preHandler: ADMINISTRATORS },
    async (request, reply) => {
      const template = templateOf(request);
      if (!template) return notFound(reply);
      const preview = await request.repo.toolLibrary.previewTool(template.text);
      if (!preview.ok)
        return libraryPage(request, reply, formError("toolUpload", preview.message.split("\n")), {});
      return previewPage(reply, preview.value, template.text, { kind: "template" });
    },
  );
  app.get(
    "/admin/assessment-tools/templates/:template/download",
    { preHandler: ADMINISTRATORS },
    (request, reply) => {
      const template = templateOf(request);
      if (!template) return notFound(reply);
      return reply
        .header(
          "content-disposition",
          `attachment; filename="${template.content.id}-${template.content.version}.yaml"`,
        )
        .type("text/yaml; charset=utf-8")
        .send(template.text);
    },
  );

  // The separate confirmation: publishes the file shown, only if it is still exactly that file.
  app.post("/admin/assessment-tools/publish", { preHandler: ADMINISTRATORS }, async (request, reply) => {
    const body = formBody(request);
    const text = String(body.toolText ?? "").replace(/\r\n?/g, "\n");
    const preview = await request.repo.toolLibrary.previewTool(text);
    if (!preview.ok)
      return libraryPage(
        request,
        reply,
        formError("toolUpload", ["Nothing was published", ...preview.message.split("\n")]),
        {},
      );
    const previousNow = preview.value.previous?.toolVersionId ?? "";
    if (preview.value.hash !== String(body.hash ?? ""))
      return libraryPage(
        request,
        reply,
        formError("toolUpload", [
          "Nothing was published: the file is not the one that was checked. Upload it and check it again",
        ]),
        {},
      );
    if (previousNow !== String(body.previousVersionId ?? ""))
      return previewPage(reply.code(409), preview.value, text, {
        kind: "upload",
        notice:
          "Another version of this tool was published after you checked this one. Nothing was published: check the changes below again before publishing.",
      });
    const uploaded = await request.repo.assessments.uploadTool(text);
    if (!uploaded.ok)
      return libraryPage(
        request,
        reply,
        formError("toolUpload", ["Nothing was published", ...uploaded.message.split("\n")]),
        {},
      );
    const { name, version, unchanged } = uploaded.value;
    return libraryPage(
      request,
      reply,
      noErrors(),
      {},
      unchanged
        ? `${name} version ${version} is already published with this content`
        : `${name} version ${version} is published`,
    );
  });
};
