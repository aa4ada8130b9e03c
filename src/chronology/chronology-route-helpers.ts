// SPDX-License-Identifier: MIT
/** What the chronology pages share: who may open them, and the answers for a record not found or not open. */
import type { FastifyReply } from "fastify";
import { refuseRecord, requireSignedIn } from "../web/guards.ts";

export const SIGNED_IN = requireSignedIn();

/** Anyone who cannot open the child's record is refused, pointed to the page that says who knows the child. */
export const away = (reply: FastifyReply, personId: string) => refuseRecord(reply, personId);
