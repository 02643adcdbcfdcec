/** Reports: a place in the navigation for the reports another issue builds. */
import { Empty, Layout } from "../components";
import { Link } from "../router";

export function ReportsPage() {
  return (
    <Layout title="Reports">
      <Empty title="Reports are coming: first-response and resolution times, breaches by policy and by channel, over weeks.">
        <p>
          Until then, the <Link href="/">board</Link> shows what is at risk now and <Link href="/deliveries">Deliveries</Link> what was sent.
        </p>
      </Empty>
    </Layout>
  );
}
