// SPDX-License-Identifier: MIT
/**
 * The CIN census from Hearth's events, and back: exporting a year's return (children with an episode
 * open at any time from 1 April to 31 March, as the events stood on 31 March), importing a return into
 * events so a partnership starts with its history (all or nothing), and Ofsted's Annex A lists 1 to 7.
 * These are system jobs run by the CLI as the database owner, so every query names the partnership.
 *
 * One module per job (export, import, Annex A) and one for the mapping they share; this one names them
 * for their callers.
 */
export { type AnnexList, annexALists, annexAWorkbook } from "./annex-a.ts";
export { type CinExport, exportCinCensus } from "./cin-census-export.ts";
export { type CinImportResult, importCinCensus } from "./cin-census-import.ts";
export { episodeEvents, scopeToYear, toCinEpisode } from "./cin-census-mapping.ts";
