// SPDX-License-Identifier: MIT
/**
 * The partnership's settings page (/settings): how its threshold document words each level of need and
 * its local pathway timescales. Administrators and safeguarding leads only; everyone else is refused with
 * a 403, which the app audits as a denial. Each save is a new version with a reason; earlier versions are
 * listed below the form.
 */
import { ESCALATION_STAGES, type EscalationStage } from "../pathways/escalation.ts";
import type { AppContext } from "../web/app.ts";
import { formRoute, justSaved, readingOf } from "../web/form-route.ts";
import { addError, type FormErrors, noErrors } from "../web/forms.ts";
import { requireAllowed } from "../web/guards.ts";
import {
  ESCALATION_DAY_BOUNDS,
  ESCALATION_STAGES_IN_ORDER,
  type PathwaySettings,
  SIMPLE_TIMESCALES,
  TIMESCALE_BOUNDS,
} from "./pathway-settings.ts";

const SETTINGS_ROLES = requireAllowed("settings.manage");
type Body = Record<string, unknown>;

/** The form's values for the settings in force, keyed by field name. */
export const settingsValues = (settings: PathwaySettings): Record<string, string> => {
  const values: Record<string, string> = {};
  for (const level of settings.levels) {
    values[`level-${level.code}-name`] = level.name;
    values[`level-${level.code}-description`] = level.description;
    values[`level-${level.code}-pathway`] = level.pathway;
  }
  for (const key of SIMPLE_TIMESCALES) values[key] = String(settings.timescales[key]);
  for (const stage of ESCALATION_STAGES_IN_ORDER)
    values[`escalation-${stage}`] = String(settings.timescales.escalationWorkingDays[stage]);
  return values;
};

/**
 * Reads the form against the settings in force (whose level codes it must keep). Every problem is
 * reported at once, each naming its field.
 */
export const readSettingsForm = (
  body: Body,
  current: PathwaySettings,
): { settings: PathwaySettings; reason: string; errors: FormErrors } => {
  const errors = noErrors();
  const str = (name: string) => (typeof body[name] === "string" ? (body[name] as string).trim() : "");
  const levels = current.levels.map((level) => {
    const name = str(`level-${level.code}-name`);
    const description = str(`level-${level.code}-description`);
    const pathway = str(`level-${level.code}-pathway`);
    if (name === "")
      addError(errors, `level-${level.code}-name`, `Enter a name for the level "${level.name}"`);
    else if (name.length > 100)
      addError(
        errors,
        `level-${level.code}-name`,
        `The name of "${level.name}" must be 100 characters or fewer`,
      );
    if (description.length > 2000)
      addError(
        errors,
        `level-${level.code}-description`,
        `The description of "${level.name}" must be 2000 characters or fewer`,
      );
    if (pathway.length > 500)
      addError(
        errors,
        `level-${level.code}-pathway`,
        `What "${level.name}" offers must be 500 characters or fewer`,
      );
    return { code: level.code, name, description, pathway };
  });
  const whole = (field: string, label: string, bounds: { min: number; max: number }): number => {
    const raw = str(field);
    const value = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(value >= bounds.min && value <= bounds.max))
      addError(errors, field, `${label} must be a whole number from ${bounds.min} to ${bounds.max}`);
    return Number.isFinite(value) ? value : bounds.min;
  };
  const simple = Object.fromEntries(
    SIMPLE_TIMESCALES.map((key) => [key, whole(key, TIMESCALE_BOUNDS[key].label, TIMESCALE_BOUNDS[key])]),
  ) as Record<(typeof SIMPLE_TIMESCALES)[number], number>;
  const escalationWorkingDays = Object.fromEntries(
    ESCALATION_STAGES_IN_ORDER.map((stage) => [
      stage,
      whole(
        `escalation-${stage}`,
        `Working days at the ${ESCALATION_STAGES[stage].toLowerCase()} stage`,
        ESCALATION_DAY_BOUNDS,
      ),
    ]),
  ) as Record<EscalationStage, number>;
  const reason = str("reason");
  if (reason === "") addError(errors, "reason", "Enter why the settings are changing");
  else if (reason.length > 2000) addError(errors, "reason", "The reason must be 2000 characters or fewer");
  return { settings: { levels, timescales: { ...simple, escalationWorkingDays } }, reason, errors };
};

export const registerSettingsRoutes = ({ app }: AppContext): void => {
  formRoute(app, {
    path: "/settings",
    preHandler: SETTINGS_ROLES,
    view: "settings/views/settings.njk",
    missing: "forbidden",
    page: async (request) => {
      const page = await request.repo.settings.settingsPage();
      return (
        page && {
          title: "Settings: levels of need and timescales",
          current: page.current,
          versions: page.versions,
          saved: justSaved(request),
          SIMPLE_TIMESCALES,
          TIMESCALE_BOUNDS,
          ESCALATION_STAGES,
          ESCALATION_STAGES_IN_ORDER,
        }
      );
    },
    initial: (page) => settingsValues(page.current),
    read: async (body, request) => {
      const current = await request.repo.settings.pathwaySettings();
      if (!current) return undefined;
      const form = readSettingsForm(body, current);
      return readingOf(form.errors, form);
    },
    save: (request, form) => request.repo.settings.savePathwaySettings(form.settings, form.reason),
    refusedField: "reason",
    next: () => "/settings?saved=1",
  });
};
