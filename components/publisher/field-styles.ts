// Shared classes for the publisher forms' fields, so every input looks and focuses the same.
export const inputClass =
  "block w-full min-w-0 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-100 aria-[invalid=true]:border-red-500";
export const labelClass = "block text-sm font-medium text-slate-800";
