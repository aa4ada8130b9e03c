// SPDX-License-Identifier: MIT
/**
 * The board's settings page (/settings/board): the authority the partnership is benchmarked as, the
 * child population rates are computed against, the strategies' names, and each indicator's reporting
 * target with its amber tolerance. Administrators, analysts and safeguarding leads; everyone else is
 * refused with a 403 (audited as a denial). Each save is a new version with a reason.
 */
import type { AppContext } from "../web/app.ts";
import { formRoute, justSaved, readingOf } from "../web/form-route.ts";
import { addError, noErrors } from "../web/forms.ts";
import { requireAllowed } from "../web/guards.ts";
import { type FormBody, textField } from "../web/request-values.ts";
import {
  type BoardSettings,
  POPULATION_BASIS_CODES,
  POPULATION_BASIS_LABELS,
  type PopulationBasis,
  type Target,
} from "./board-settings.ts";
import { GROUPS, INDICATORS, SEED_NAMES, type Seed } from "./registry.ts";

const BOARD_SETTERS = requireAllowed("board.settings");
const SEEDS = Object.keys(SEED_NAMES) as Seed[];

const trimNumber = (n: number) => String(Math.round(n * 10) / 10);

/** The form's values for the settings in force. */
export const boardSettingsValues = (settings: BoardSettings): Record<string, string> => {
  const values: Record<string, string> = {
    authority: settings.authorityCode ?? "",
    population: settings.populationBasis,
  };
  for (const seed of SEEDS) values[`strategy-${seed}`] = settings.strategyNames[seed];
  for (const [id, target] of Object.entries(settings.targets)) {
    values[`target-${id}`] = trimNumber(target.target);
    values[`tolerance-${id}`] = trimNumber(target.tolerance);
  }
  return values;
};

/** Reads the form; every problem is reported at once, each naming its field (and indicator). */
export const readBoardSettingsForm = (body: FormBody) => {
  const errors = noErrors();
  const str = (name: string) => textField(body, name).trim();
  const authorityCode = str("authority");
  if (!/^[0-9]{3}$/.test(authorityCode))
    addError(errors, "authority", "Enter the authority's 3-digit DfE code, for example 852");
  const population = str("population");
  if (!(POPULATION_BASIS_CODES as readonly string[]).includes(population))
    addError(errors, "population", "Choose the child population rates are computed against");
  const strategyNames: Record<string, string> = {};
  for (const seed of SEEDS) {
    const name = str(`strategy-${seed}`);
    if (name === "") addError(errors, `strategy-${seed}`, `Enter a name for strategy ${seed}`);
    else if (name.length > 200)
      addError(errors, `strategy-${seed}`, `The name of strategy ${seed} must be 200 characters or fewer`);
    strategyNames[seed] = name;
  }
  const targets: Record<string, Target> = {};
  const number = (raw: string) => (/^\d{1,7}(\.\d{1,2})?$/.test(raw) ? Number(raw) : Number.NaN);
  for (const indicator of INDICATORS) {
    const rawTarget = str(`target-${indicator.id}`);
    const rawTolerance = str(`tolerance-${indicator.id}`);
    if (rawTarget === "" && rawTolerance === "") continue;
    const target = number(rawTarget);
    const tolerance = rawTolerance === "" ? 0 : number(rawTolerance);
    if (Number.isNaN(target))
      addError(
        errors,
        `target-${indicator.id}`,
        `Enter the target for "${indicator.title}" as a number, for example 25 or 12.5`,
      );
    if (Number.isNaN(tolerance))
      addError(
        errors,
        `tolerance-${indicator.id}`,
        `Enter the amber tolerance for "${indicator.title}" as a number, for example 5`,
      );
    if (!Number.isNaN(target) && !Number.isNaN(tolerance)) targets[indicator.id] = { target, tolerance };
  }
  const reason = str("reason");
  if (reason === "") addError(errors, "reason", "Enter why the settings are changing");
  else if (reason.length > 2000) addError(errors, "reason", "The reason must be 2000 characters or fewer");
  return {
    input: { authorityCode, populationBasis: population as PopulationBasis, strategyNames, targets },
    reason,
    errors,
  };
};

/** @param context - The app. */
export const registerBoardSettingsRoutes = ({ app }: AppContext): void => {
  formRoute(app, {
    path: "/settings/board",
    preHandler: BOARD_SETTERS,
    view: "indicators/views/board-settings.njk",
    missing: "forbidden",
    page: async (request) => {
      const page = await request.repo.indicators.boardSettings();
      return (
        page && {
          title: "Settings: the board's authority, strategies and targets",
          ...page,
          saved: justSaved(request),
          seeds: SEEDS,
          populationItems: POPULATION_BASIS_CODES.map((code) => ({
            value: code,
            text: POPULATION_BASIS_LABELS[code],
          })),
          authorityItems: page.authorities.map((a) => ({
            value: a.area_code,
            text: `${a.name} (${a.area_code})`,
          })),
          groups: Object.entries(GROUPS).map(([key, title]) => ({
            title,
            indicators: INDICATORS.filter((i) => i.group === key).map((i) => ({
              id: i.id,
              title: i.title,
              unit: { count: "number", percent: "%", rate: "per 10,000", months: "months", points: "points" }[
                i.unit
              ],
              better:
                i.higherIsBetter === null
                  ? "Either way: green within the tolerance"
                  : i.higherIsBetter
                    ? "Higher is better"
                    : "Lower is better",
            })),
          })),
        }
      );
    },
    initial: (page) => boardSettingsValues(page.current),
    read: (body) => {
      const form = readBoardSettingsForm(body);
      return readingOf(form.errors, form);
    },
    save: (request, form) => request.repo.indicators.saveBoardSettings(form.input, form.reason),
    refusedField: "reason",
    next: () => "/settings/board?saved=1",
  });
};
