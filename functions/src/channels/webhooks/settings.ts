/**
 * Webhook configuration from the params: on when RINGBACK_WEBHOOK_URL is set. A URL that is
 * not https (http only on a loopback host), or a missing secret while a URL is set, is refused
 * with a message that says what to fix, never a silent drop of events.
 */
import { APP_ID, WEBHOOK_URL } from "../../params.js";

export interface WebhookSettings {
  enabled: boolean;
  url: string;
  appId: string;
  /** While a secret rotates: the previous one, which signs a second `v1=` in the header. */
  previousSecrets?: string[];
}

/** Hosts a plain http:// callback URL may name: this machine only (127.0.0.0/8, ::1). */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function parseWebhookSettings(url: string, appId: string): WebhookSettings {
  const trimmed = url.trim();
  if (trimmed === "") return { enabled: false, url: "", appId };
  let parsed: URL | undefined;
  try {
    parsed = new URL(trimmed);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    throw new ConfigError(
      `RINGBACK_WEBHOOK_URL must be an https:// URL (or empty for no callbacks), not ${JSON.stringify(url)}.`,
    );
  }
  // Callbacks carry call data and are signed with the secret: never in clear over a network.
  if (parsed.protocol === "http:" && !isLoopback(parsed.hostname)) {
    throw new ConfigError(
      `RINGBACK_WEBHOOK_URL must be https:// (http:// only for 127.0.0.1, ::1 or localhost), not ${JSON.stringify(url)}.`,
    );
  }
  return { enabled: true, url: trimmed, appId };
}

/** A previous secret's value as set: empty or "none" (a declared secret needs a value) is none. */
export function previousSecrets(raw: string): string[] {
  const v = raw.trim();
  return v === "" || v.toLowerCase() === "none" ? [] : [v];
}

/** The signing secret; a URL without one is a configuration error. */
export function requireSecret(settings: WebhookSettings, secret: string): string {
  if (settings.enabled && secret === "") {
    throw new ConfigError(
      "RINGBACK_WEBHOOK_SECRET is not set while RINGBACK_WEBHOOK_URL is: set the secret " +
        "(firebase functions:secrets:set RINGBACK_WEBHOOK_SECRET; locally, the environment of npm start).",
    );
  }
  return secret;
}

export const webhookSettings = (): WebhookSettings =>
  parseWebhookSettings(WEBHOOK_URL.value(), APP_ID.value());
