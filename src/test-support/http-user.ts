// SPDX-License-Identifier: MIT
/**
 * One simulated member of staff over real HTTP, as a browser without JavaScript would be: keeps its own
 * cookies, reads each form's CSRF token, never follows redirects on its own (a redirect is an answer to
 * time, and a redirect to /sign-in means the session was lost). Used by bench/load-users.ts, the
 * kill and two-process benchmarks and their tests (./kill-writes.ts, ./two-servers.ts).
 */
import { currentTotpCode } from "../auth/totp.ts";
import { DEMO_PASSWORD } from "../generator/generate-partnership.ts";

export type Answer = { status: number; location: string | null; body: string };

/** The form fields of a new chronology entry, as the add form sends them (an observed missed appointment). */
export const chronologyEntryForm = (whatHappened: string): Record<string, string> => ({
  eventType: "not-brought-dental",
  "occurredOn-day": "",
  "occurredOn-month": "2",
  "occurredOn-year": "2025",
  datePrecision: "month",
  whatHappened,
  impactOnChild: "Synthetic impact on the child, for the benchmark",
  significance: "medium",
  neglectTypes: "medical",
  informationBasis: "observed",
  visibility: "normal",
});

export class HttpUser {
  readonly cookies = new Map<string, string>();
  csrfToken = "";

  /**
   * @param baseUrl - Hearth's address.
   * @param clientAddress - Sent as X-Forwarded-For (the server must run with HEARTH_TRUST_PROXY=true), so
   *   each simulated user has its own address, as staff at their own desks do: the sign-in rate limit
   *   (20 a minute) is per address.
   */
  constructor(
    readonly baseUrl: string,
    readonly clientAddress?: string,
  ) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request(method: "GET" | "POST", path: string, form?: Record<string, string>): Promise<Answer> {
    const headers: Record<string, string> = { cookie: this.cookieHeader };
    if (this.clientAddress) headers["x-forwarded-for"] = this.clientAddress;
    let body: string | undefined;
    if (form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams({ _csrf: this.csrfToken, ...form }).toString();
    }
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body, redirect: "manual" });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = cookie.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (value === "" || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    const match = /name="_csrf" value="([^"]+)"/.exec(text);
    if (match?.[1]) this.csrfToken = match[1];
    return { status: response.status, location: response.headers.get("location"), body: text };
  }

  get(path: string): Promise<Answer> {
    return this.request("GET", path);
  }

  post(path: string, form: Record<string, string>): Promise<Answer> {
    return this.request("POST", path, form);
  }

  /**
   * Signs in with the generated accounts' shared password, and the account's authenticator code when it
   * has one. @throws Unless the sign-in ends on the home page.
   */
  async signIn(email: string, totpSecret: string | null): Promise<void> {
    await this.get("/sign-in");
    let answer = await this.post("/sign-in", { email, password: DEMO_PASSWORD });
    if (answer.location === "/sign-in/second-factor" && totpSecret) {
      await this.get("/sign-in/second-factor");
      answer = await this.post("/sign-in/second-factor", { code: currentTotpCode(totpSecret) });
      // A code is accepted once; a second sign-in in the same 30 seconds uses the next period's code.
      if (answer.status === 401)
        answer = await this.post("/sign-in/second-factor", { code: currentTotpCode(totpSecret, 1) });
    }
    if (answer.status !== 303 || answer.location !== "/")
      throw new Error(`signing in as ${email} answered ${answer.status} ${answer.location ?? ""}`);
  }
}
