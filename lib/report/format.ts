/**
 * Text helpers of the report page. Pure.
 */

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML and SVG content and for quoted attribute values alike. */
export function esc(s: string | number | undefined | null): string {
  if (s === undefined || s === null) return '';
  return String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** ISO 8601 in UTC with ms, as the journal writes it. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `09:24:54.115` (UTC), for compact places; the full ISO time goes in the tooltip beside it. */
export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/** A duration a person reads at a glance: `0.3 s`, `12.4 s`, `4 min 05 s`, `2 h 03 min`, `3 d 4 h`. */
export function duration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 59.95) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${two(m)} min`;
  return `${m} min ${two(sec)} s`;
}

/** A duration where space is tight and seconds do not matter: `45.0 s`, `4 min 05 s`, `29 min`, `1 h 59 min`. */
export function roughDuration(ms: number): string {
  return ms >= 600_000 && ms < 3_600_000 ? `${Math.round(ms / 60_000)} min` : duration(ms);
}

/** Shortens `s` to at most `max` characters by cutting its middle, where ids differ least. */
export function shorten(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return '…';
  const head = Math.ceil((max - 1) / 2);
  const tail = Math.floor((max - 1) / 2);
  return s.slice(0, head) + '…' + s.slice(s.length - tail);
}
