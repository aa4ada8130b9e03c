// SPDX-License-Identifier: MIT
/**
 * The simulated users of bench/load.bench.ts, run in their own process so that they never share an event
 * loop with the server they load. Receives one {@link UsersRequest} over IPC: signs every user in over
 * HTTP, then for the given seconds each user loops search, open a child (the first time, as a browser:
 * the history summary, read and acknowledged, then the record), read the chronology, add a
 * chronology entry (the form's GET, for its CSRF token, then the POST) and the alerts page, pausing a
 * random think time between requests. Replies with a {@link UsersSummary} and exits.
 */
import { type Answer, chronologyEntryForm, HttpUser } from "./http-user.ts";

export type SimulatedUser = {
  email: string;
  totpSecret: string | null;
  /** Children this user's agency works with, and a family name to search for each. */
  children: { personId: string; familyName: string }[];
};

export type UsersRequest = {
  url: string;
  users: SimulatedUser[];
  seconds: number;
  /** Mean pause between one user's requests, in milliseconds (each pause uniform in 0.5 to 1.5 times it). */
  thinkMs: number;
  /** Sign-ins at once while the users arrive (each checks an Argon2 hash). */
  signInConcurrency: number;
  /** A label for the entries' text, so the bench can count them in the database afterwards. */
  marker: string;
};

export const ACTIONS = [
  "search",
  "open child",
  "history",
  "chronology",
  "entry form",
  "add entry",
  "alerts",
] as const;
export type Action = (typeof ACTIONS)[number];

export type ActionSummary = {
  requests: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
};

export type UsersSummary = {
  signInSeconds: number;
  seconds: number;
  actions: Record<Action, ActionSummary>;
  overall: ActionSummary;
  /** Entries whose POST was answered 303 to the chronology. */
  entriesAcknowledged: number;
  /** The first few failures, for the report. */
  failures: string[];
};

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

const summarise = (latencies: number[], errors: number): ActionSummary => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    errors,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const run = async (request: UsersRequest): Promise<UsersSummary> => {
  const latencies = new Map<Action, number[]>(ACTIONS.map((a) => [a, []]));
  const errors = new Map<Action, number>(ACTIONS.map((a) => [a, 0]));
  const failures: string[] = [];
  let entriesAcknowledged = 0;

  // Each user its own address (X-Forwarded-For): 10.x.y.z from its index.
  const clients = request.users.map(
    (_, i) => new HttpUser(request.url, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`),
  );
  const signInStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: request.signInConcurrency }, async () => {
      while (next < clients.length) {
        const i = next++;
        const user = request.users[i];
        const client = clients[i];
        if (user && client) await client.signIn(user.email, user.totpSecret);
      }
    }),
  );
  const signInSeconds = (performance.now() - signInStarted) / 1000;

  const started = performance.now();
  const deadline = started + request.seconds * 1000;
  const think = () => sleep(request.thinkMs * (0.5 + Math.random()));

  /** Times one request; a failure is any status outside 2xx and 3xx, a redirect to sign-in, or no answer. */
  const timed = async (
    action: Action,
    send: () => Promise<Answer>,
    ok: (answer: Answer) => boolean = () => true,
  ): Promise<Answer | undefined> => {
    const start = performance.now();
    let answer: Answer | undefined;
    let problem: string | undefined;
    try {
      answer = await send();
      if (answer.status >= 400 || answer.status < 200) problem = `status ${answer.status}`;
      else if (answer.location?.startsWith("/sign-in")) problem = `redirected to ${answer.location}`;
      else if (!ok(answer)) problem = `unexpected answer ${answer.status} ${answer.location ?? ""}`;
    } catch (error) {
      problem = `no answer: ${(error as Error).message}`;
    }
    latencies.get(action)?.push(performance.now() - start);
    if (problem) {
      errors.set(action, (errors.get(action) ?? 0) + 1);
      if (failures.length < 20) failures.push(`${action}: ${problem}`);
      return undefined;
    }
    return answer;
  };

  const loop = async (user: SimulatedUser, client: HttpUser, index: number) => {
    // Arrivals spread over the first think time, not all at once.
    await sleep(Math.random() * request.thinkMs);
    let round = 0;
    const live = () => performance.now() < deadline;
    while (live()) {
      const child = user.children[round % user.children.length];
      if (!child) return;
      round += 1;
      await timed("search", () => client.get(`/people?name=${encodeURIComponent(child.familyName)}`));
      await think();
      if (!live()) break;
      const record = `/people/${child.personId}`;
      const opened = await timed("open child", () => client.get(record));
      if (opened?.status === 303 && opened.location === `${record}/history`) {
        // As a browser: a record new to this worker opens on what is already known; she reads it once and
        // goes on to the record, which opens directly from then on.
        const summary = await timed("history", () => client.get(`${record}/history`));
        await think();
        if (!live()) break;
        if (summary)
          await timed(
            "history",
            () => client.post(`${record}/history`, {}),
            (answer) => answer.status === 303 && answer.location === record,
          );
        await timed(
          "open child",
          () => client.get(record),
          (answer) => answer.status === 200,
        );
      }
      await think();
      if (!live()) break;
      await timed("chronology", () => client.get(`/people/${child.personId}/chronology`));
      await think();
      if (!live()) break;
      const form = await timed("entry form", () =>
        client.get(`/people/${child.personId}/chronology/new?eventType=not-brought-dental`),
      );
      await think();
      if (!live()) break;
      if (form) {
        const added = await timed(
          "add entry",
          () =>
            client.post(
              `/people/${child.personId}/chronology/new`,
              chronologyEntryForm(`${request.marker} user ${index} round ${round}`),
            ),
          (answer) => answer.status === 303 && (answer.location ?? "").includes("done=added"),
        );
        if (added) entriesAcknowledged += 1;
        await think();
        if (!live()) break;
      }
      await timed("alerts", () => client.get("/pathways/alerts"));
      await think();
    }
  };
  await Promise.all(
    request.users.map((user, i) => {
      const client = clients[i];
      return client ? loop(user, client, i) : Promise.resolve();
    }),
  );

  const actions = Object.fromEntries(
    ACTIONS.map((a) => [a, summarise(latencies.get(a) ?? [], errors.get(a) ?? 0)]),
  ) as Record<Action, ActionSummary>;
  const all = [...latencies.values()].flat();
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
  return {
    signInSeconds,
    seconds: (performance.now() - started) / 1000,
    actions,
    overall: summarise(all, errorCount),
    entriesAcknowledged,
    failures,
  };
};

process.once("message", async (request: UsersRequest) => {
  try {
    const summary = await run(request);
    process.send?.({ summary }, () => process.exit(0));
  } catch (error) {
    process.send?.({ error: (error as Error).message }, () => process.exit(1));
  }
});
