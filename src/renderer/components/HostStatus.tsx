/** Shown over everything when this tab's key no longer opens the app (an earlier run's tab, or no key). */
export function HostExpired() {
  return (
    <div className="signin">
      <section className="signin-card" data-testid="host-expired" role="alert" aria-labelledby="expired-title">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            AfH
          </span>
          <h1 id="expired-title">This tab is no longer connected to the app</h1>
        </div>
        <p>The app was started again, or this tab was opened from an earlier run, so it cannot reach your data any more.</p>
        <p>
          <strong>Open the address the app printed when it started</strong> (it ends in <code>#token=…</code>). You can close this tab.
        </p>
        <p className="muted small">Your work is safe: everything is kept on this laptop.</p>
      </section>
    </div>
  );
}

/** A line across the top while the app's host cannot be reached; the page reconnects by itself. */
export function HostLostBanner() {
  return (
    <div className="host-banner" role="alert" data-testid="host-connection">
      <strong>Lost the connection to the app on this computer.</strong> It has stopped or is restarting; this page reconnects by itself when it is
      back. Nothing can be saved until then.
    </div>
  );
}
