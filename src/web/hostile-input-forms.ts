// SPDX-License-Identifier: MIT
/**
 * How the hostile-input crawl (hostile-input.test.ts) reads what it finds: the forms on a page with the
 * values a user who changed nothing would send, a form's submission with a hostile value in every
 * free-text field, and the cells of a CSV file.
 */
import { parseHTML } from "linkedom";

/** The cells of a CSV file (RFC 4180 quoting). */
export const csvCells = (text: string): string[] => {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === "," || c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      cells.push(cell);
      cell = "";
    } else cell += c;
  }
  if (cell) cells.push(cell);
  return cells;
};

export type FoundForm = { action: string; method: string; fields: [string, string, "text" | "fixed"][] };

/** A date a month ago, for every day/month/year group. */
const aMonthAgo = new Date(Date.now() - 30 * 86_400_000);
const dateParts: Record<string, string> = {
  day: String(aMonthAgo.getUTCDate()),
  month: String(aMonthAgo.getUTCMonth() + 1),
  year: String(aMonthAgo.getUTCFullYear()),
};

/** Reads each form on a page: its fields, with the value a user who changed nothing would send. */
export const formsOn = (pageUrl: string, html: string): FoundForm[] => {
  const { document } = parseHTML(html);
  const forms: FoundForm[] = [];
  for (const form of document.querySelectorAll("form")) {
    const action = new URL(form.getAttribute("action") || pageUrl, "http://hearth.test").pathname;
    const fields: FoundForm["fields"] = [];
    const radios = new Set<string>();
    for (const element of form.querySelectorAll("input, textarea, select")) {
      const name = element.getAttribute("name");
      if (!name || name === "_csrf") continue;
      const tag = element.tagName.toLowerCase();
      const type = (element.getAttribute("type") ?? "text").toLowerCase();
      const part = /-(day|month|year)$/.exec(name)?.[1];
      if (tag === "select") {
        const options = [...element.querySelectorAll("option")];
        const chosen =
          options.find((o) => o.hasAttribute("selected")) ?? options.find((o) => o.getAttribute("value"));
        fields.push([name, chosen?.getAttribute("value") ?? "", "fixed"]);
      } else if (type === "radio") {
        if (radios.has(name)) continue;
        radios.add(name);
        const group = [...form.querySelectorAll(`input[type="radio"][name="${name}"]`)];
        const chosen = group.find((r) => r.hasAttribute("checked")) ?? group[0];
        fields.push([name, chosen?.getAttribute("value") ?? "", "fixed"]);
      } else if (type === "checkbox") {
        fields.push([name, element.getAttribute("value") ?? "on", "fixed"]);
      } else if (type === "hidden" || type === "submit") {
        fields.push([name, element.getAttribute("value") ?? "", "fixed"]);
      } else if (part) {
        fields.push([name, element.getAttribute("value") || (dateParts[part] ?? ""), "fixed"]);
      } else if (element.getAttribute("inputmode") === "numeric" || type === "number") {
        fields.push([name, element.getAttribute("value") || "1", "fixed"]);
      } else {
        fields.push([
          name,
          tag === "textarea" ? element.textContent : (element.getAttribute("value") ?? ""),
          "text",
        ]);
      }
    }
    forms.push({ action, method: (form.getAttribute("method") ?? "get").toLowerCase(), fields });
  }
  return forms;
};

let emailCounter = 0;
/** The submission of a form with one hostile value in every free-text field. */
export const hostileSubmission = (form: FoundForm, values: string | string[]): Record<string, string> => {
  const body: Record<string, string> = {};
  let textFields = 0;
  for (const [name, current, kind] of form.fields) {
    const value = typeof values === "string" ? values : (values[textFields++ % values.length] ?? "");
    if (kind === "fixed") body[name] = current;
    // An email field gets a valid address (so the form can succeed and show the other fields) unless
    // the value is U+0000, which must be refused wherever it is.
    else if (/email/i.test(name) && !value.includes("\u0000"))
      body[name] = `hostile${++emailCounter}@example.test`;
    else body[name] = value;
  }
  return body;
};
