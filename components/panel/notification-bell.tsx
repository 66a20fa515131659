import Link from "next/link";

/** The panel's bell: a link to the notifications page, its badge counting what is unread. */
export function NotificationBell({ count }: { count: number }) {
  const label = `Notifications (${count} unread)`;
  return (
    <Link
      href="/panel/notifications"
      aria-label={label}
      title={label}
      className="relative inline-flex min-h-10 min-w-10 items-center justify-center rounded-md text-slate-600 ring-1 ring-slate-300 hover:bg-slate-50 hover:text-slate-900"
    >
      <svg
        aria-hidden="true"
        viewBox="0 0 24 24"
        width="20"
        height="20"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      >
        <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
      </svg>
      {count > 0 ? (
        <span
          aria-hidden="true"
          className="absolute -right-1.5 -top-1.5 inline-flex min-w-5 items-center justify-center rounded-full bg-red-600 px-1 text-xs font-semibold leading-5 text-white"
        >
          {count > 99 ? "99+" : count}
        </span>
      ) : null}
    </Link>
  );
}
