/** OAuth scopes as chips (a labelled list, so a screen reader hears which scopes these are). */
export function ScopeList({ label, scopes, className = "" }: { label: string; scopes: string[]; className?: string }) {
  return (
    <ul className={`flex flex-wrap gap-1 ${className}`} aria-label={label}>
      {scopes.map((s) => (
        <li
          key={s}
          className="max-w-full break-all rounded bg-slate-100 px-2 py-0.5 font-mono text-xs text-slate-700 ring-1 ring-slate-200"
        >
          {s}
        </li>
      ))}
    </ul>
  );
}
