// SPDX-License-Identifier: MIT
/** A CIN census return that passes every rule, for the census tests to change one thing in. */
import type { CinChild } from "../pathways/cin-xml.ts";
import { CIN_2025_HEADER } from "../pathways/generate-cin-return.ts";
import { icpcTarget } from "../pathways/timescales.ts";

export const CIN_HEADER = CIN_2025_HEADER;

/** A child on a neglect child protection plan whose return passes every rule (no UPN given). */
export const validCinChild = (): CinChild => ({
  laChildId: "HC0001",
  upn: null,
  formerUpn: null,
  upnUnknown: null,
  birthDate: "2016-02-10",
  expectedBirthDate: null,
  sex: "F",
  deathDate: null,
  ethnicity: "WBRI",
  disabilities: ["NONE"],
  episodes: [
    {
      referralDate: "2024-05-01",
      source: "2A",
      primaryNeed: "N1",
      closureDate: null,
      closureReason: null,
      episodeIcpc: null,
      assessments: [
        { start: "2024-05-02", internalReview: null, authorised: "2024-06-20", factors: ["16A", "4B"] },
      ],
      cinPlans: [],
      section47s: [
        { start: "2024-05-03", target: icpcTarget("2024-05-03"), icpc: "2024-05-20", notRequired: false },
      ],
      nfa: false,
      cpPlans: [
        {
          start: "2024-05-20",
          end: null,
          initialCategory: "NEG",
          latestCategory: "NEG",
          previousPlans: 0,
          reviews: ["2024-08-15"],
        },
      ],
    },
  ],
});
