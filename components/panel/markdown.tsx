// Renders the wizard's parsed markdown (paragraphs, bold, code, http(s) links) as React text nodes,
// so nothing in an extension's `info` step is ever interpreted as HTML.
import type { InlineNode } from "@/lib/extensions/setup-wizard";

export function Markdown({ paragraphs }: { paragraphs: InlineNode[][] }) {
  return (
    <div className="space-y-3 text-sm text-slate-700">
      {paragraphs.map((nodes, i) => (
        <p key={i}>
          {nodes.map((n, j) =>
            n.type === "strong" ? (
              <strong key={j}>{n.text}</strong>
            ) : n.type === "code" ? (
              <code key={j} className="rounded bg-slate-100 px-1 font-mono text-xs">
                {n.text}
              </code>
            ) : n.type === "link" ? (
              <a key={j} href={n.href} rel="noopener noreferrer nofollow" target="_blank" className="text-brand-700 underline">
                {n.text}
              </a>
            ) : (
              <span key={j}>{n.text}</span>
            ),
          )}
        </p>
      ))}
    </div>
  );
}
