export interface SubNavLink {
  href: string;
  label: string;
  current: boolean;
}

/** Links between the parts of one page (e.g. Alerts: list and rules). */
export function SubNav({ label, links }: { label: string; links: readonly SubNavLink[] }) {
  return (
    <nav aria-label={label} className="subnav">
      <ul>
        {links.map((link) => (
          <li key={link.href}>
            <a
              href={link.href}
              className="subnav-link"
              aria-current={link.current ? 'page' : undefined}
            >
              {link.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
