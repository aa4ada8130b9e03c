// SPDX-License-Identifier: MIT
/**
 * pdfmake, set up once for every PDF Hearth makes (the family chronology, the board report): Helvetica,
 * a standard PDF font built into readers, so no font file ships; and no URL or file may be read, since a
 * document is built only from Hearth's own data (pdfmake asks the local policy about the standard font
 * names as if they were paths).
 */
import pdfmake from "pdfmake";

const HELVETICA = {
  normal: "Helvetica",
  bold: "Helvetica-Bold",
  italics: "Helvetica-Oblique",
  bolditalics: "Helvetica-BoldOblique",
};
const STANDARD_FONTS: ReadonlySet<string> = new Set(Object.values(HELVETICA));
pdfmake.setFonts({ Helvetica: HELVETICA });
pdfmake.setUrlAccessPolicy(() => false);
pdfmake.setLocalAccessPolicy((path) => STANDARD_FONTS.has(path));

export type { Content } from "pdfmake";
export { pdfmake };
export type TDocumentDefinitions = Parameters<typeof pdfmake.createPdf>[0];

/** Helvetica (a standard PDF font) has no glyphs outside Windows-1252: replace what it cannot show. */
export const printable = (text: string): string =>
  text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, "-")
    .replace(/\u00b7/g, "-")
    .replace(/[^\t\n\r\u0020-\u007e\u00a0-\u00ff]/g, "?");
