export function PlaceholderPage({ title, description }: { title: string; description: string }) {
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{title}</h1>
      </header>
      <div className="panel placeholder">
        <p className="placeholder-label">Not built yet</p>
        <p>{description}</p>
      </div>
    </section>
  );
}
