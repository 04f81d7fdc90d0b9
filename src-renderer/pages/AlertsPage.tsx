import { AlertList, RULES_HREF } from '../components/AlertList';
import { RulesEditor } from '../components/RulesEditor';
import { SubNav } from '../components/SubNav';
import { routeHref, subPageFromHash, useHash } from '../routes';

/** `#/alerts`: the alert list; `#/alerts/rules`: the rules editor. */
export function AlertsPage() {
  const hash = useHash();
  const rules = subPageFromHash(hash, 'alerts') === 'rules';
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Alerts</h1>
      </header>
      <SubNav
        label="Alerts sections"
        links={[
          { href: routeHref('alerts'), label: 'Alert list', current: !rules },
          { href: RULES_HREF, label: 'Alert rules', current: rules },
        ]}
      />
      {rules ? <RulesEditor /> : <AlertList />}
    </section>
  );
}
