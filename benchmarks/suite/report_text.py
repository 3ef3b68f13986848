"""The prose of RESULTS.md (the tables are built in report.py). `{...}` are filled from figures."""

INTRO = [
    "# Benchmark results",
    "",
    "Written by `make bench` (`uv run python benchmarks/run.py`); the raw figures of every run",
    "are in [results.json](results.json), and `uv run python benchmarks/run.py --from-json",
    "benchmarks/results.json` re-renders this page and [the chart](results.png) from them.",
    "Each figure is the median of its runs; figures only compare within one machine, and this",
    "one was shared with other work while measuring, so CPU and wall figures are noisy.",
    "",
]

STORES = [
    "Stores: `sandbox serve --seed 1 --orders N`: customers N/2, products N/10 (at most 500),",
    "subscribers about N/4, plus N/100 carts used through webhooks received by the real",
    "`tap-bigcommerce-webhooks serve` (a third of them converted into orders).",
]

EFFICIENCY_TARGETS = (
    ("bigcommerce_orders", "BigCommerce requests per 1,000 orders (default settings)"),
    ("bigcommerce_orders_without_coupons", "... without the per-order coupon calls"),
    ("bigcommerce_customers", "BigCommerce requests per 1,000 customers"),
    ("bigcommerce_products", "BigCommerce requests per 1,000 products"),
    ("iterable_users", "Iterable requests per 1,000 users"),
    ("iterable_events", "Iterable requests per 1,000 events"),
    ("iterable_purchases", "Iterable requests per purchase"),
)
ITERABLE_SHARE_TARGET = "Iterable limit used by the bottleneck endpoint (most seconds at its limit)"

WHY = [
    "- **BigCommerce requests per order.** The order lists (250 per page, line items "
    "embedded) cost {list_ratio}x their floor. Coupon codes come from the embedded lines' "
    "`applied_discounts`; with the default `order_coupons: when_used` the tap asks "
    "`/v2/orders/{{id}}/coupons` only for an order whose lines do not account for its "
    "`coupon_discount` ({coupons} of {orders} orders in the {size} store, {coupon_share}%, "
    "{needed} of them naming a code no line carried, such as a shipping coupon: those "
    "requests are in the floor, as nothing else carries those codes). An order with more "
    "than the 50 line items BigCommerce embeds costs one more request ({line_item_pages} in "
    "this store).",
    "- **Customers and products** can cost one request more than the floor ({customer_ratio}x "
    "for customers, {product_ratio}x for the 500 products): the tap pages them by keyset, each "
    "query asking for records modified at or after the last one seen (BigCommerce's `:min` "
    "filter, whose inclusiveness the docs do not settle), so each query re-reads the record it "
    "starts from, and a list of exactly 2 x 250 ends with a one-record page. Offsets would save "
    "that request but skip records modified during the run.",
    "- **Iterable events** cost {event_ratio}x their floor: `events/trackBulk` refuses events of "
    "users Iterable does not have yet, and in a first sync the mapper sends a person's user "
    "record at its next checkpoint, after that person's events; the target keeps the refused "
    "events and sends them again after the next users (nothing is lost, but the bulk calls "
    "repeat). Holding events in the mapper until their users have gone out would bring this "
    "to the floor; not done yet.",
    "- **Iterable purchases** cost {purchase_ratio} request each: with no bulk purchase call, "
    "one trackPurchase per purchase is the floor. Users and events go 1,000 per bulk call; "
    "calls over the floor are partial batches flushed at a STATE or at the end of the run.",
    "- **CPU.** The whole pipeline does {pipeline_rate} orders per CPU second in the {size} "
    "store. The two do-nothing singer-sdk plugins alone (a tap re-emitting the same records, a "
    "target validating and dropping the mapped ones) reach only {floor_rate} orders per CPU "
    "second together, before any HTTP, parsing of API answers or mapping: three Python "
    "processes that each decode, type and re-encode every record cannot do 5,000 orders per "
    "CPU second on this machine with singer-sdk's per-record machinery. Our tap costs "
    "{tap_vs_floor}x the floor tap and our target {target_vs_floor}x the floor target; the "
    "target's figure includes one HTTP request per purchase ({purchases} requests), which the "
    "floor does not make. The APIs remain the bottleneck: at 150 requests per 30 s the tap "
    "needs {quota_s_per_1000} s of quota per 1,000 orders, the whole pipeline "
    "{cpu_s_per_1000} s of CPU.",
]

ITERABLE_SHARE = (
    "- **Iterable's trackPurchase limit** was {purchase_share} used in the {quota_size} store "
    "({purchase_rate} requests per second against 100): the target's pacer spaces requests "
    "exactly 1/limit apart, but purchases are sent a sink batch at a time, and while the target "
    "reads and validates the next batch nothing is sent, so the gaps are lost quota. With the "
    "target's default trackPurchase rate (50/s, Iterable documents no limit) the share of the "
    "emulator's assumed 100/s would be about half of that."
)

DEAD_LETTERS = (
    "- **Dead letters (not a target, but seen).** The target dead-lettered {dead_letters} "
    "records in the {size} store's first sync; the most frequent reasons: "
    "{dead_letter_reasons}. The generated stores hold some deliberately invalid emails, which "
    "Iterable refuses; each dead letter names its field and reason, and "
    "`target-iterable replay` sends them again once fixed."
)

EFFICIENCY = [
    "## 1. API efficiency",
    "",
    "Requests per 1,000 records (ratio to the floor). The floor is the fewest requests that can",
    "carry the records: BigCommerce 250 per page with line items embedded (4 per 1,000);",
    "Iterable users, events and catalog items 1,000 per bulk call (1 per 1,000); purchases one",
    "each (there is no bulk purchase call). Records are what the tap emitted (orders include",
    "archived ones) and what the mapper handed to the target. BigCommerce orders count every",
    "order request: lists, line-item pages for orders over 50 items, and coupon calls; their",
    "floor adds one request per order whose coupon codes only `/orders/{id}/coupons` has (a",
    "code on none of its lines, e.g. a shipping coupon). The last column gives those needed",
    "coupon calls in brackets.",
    "",
]

BIGCOMMERCE_QUOTA = (
    "BigCommerce: the tap alone, the emulator enforcing {quota} requests per {window:g} s: "
    "the Standard plan's 150 per 30 s run {scale} times faster, with the same requests per "
    "window, so the tap's pacing meets the same windows. Share = requests / (quota x windows "
    "the run touched); the last window is partly used by nature, so the share means something "
    "only when a run spans several windows. Larger stores only add windows (the projection "
    "covers them), so the quota runs stop at 10k orders."
)

ITERABLE_QUOTA = (
    "Iterable: the target alone over the mapped records, the emulator enforcing Iterable's "
    "per-endpoint limits in real time (leaky buckets holding one second's worth), the target "
    "configured with the same limits. (Its default for trackPurchase is a conservative 50/s, "
    "as Iterable documents no limit there; the emulator assumes 100/s.) Share = requests / "
    "(limit x active seconds + one second's burst); quota-bound = more than five seconds' "
    "worth of requests."
)

CPU = [
    "## 3. CPU cost",
    "",
    "CPU seconds (user + system) per 1,000 records, limits off on both emulators, which run in",
    "their own process. Tap, mapper and floor tap per 1,000 records the tap emitted; target and",
    "floor target per 1,000 records the mapper emitted; pipeline = the three stages piped",
    "(`tap | mapper | target`) per 1,000 tap records. The floors are do-nothing singer-sdk",
    "plugins over the same records (`benchmarks/floor/`).",
    "",
]

MEMORY = [
    "## 4. Memory",
    "",
    "Peak RSS in MiB (`ru_maxrss`) of each stage process, run alone over files and piped.",
    "",
]

MEMORY_GROWTH = (
    "From the {small} to the {large} store the peaks grew by: {growth}. The tap and the target "
    "stream records. The mapper buffers up to `user_buffer_size` (10,000) people between the "
    "STATEs it forwards, which is most likely what its growth is: the buffer is bounded, so "
    "its peak should level off rather than keep growing with the store (not measured beyond "
    "100k)."
)

PEER = [
    "## 5. The peer: PyPI `tap-bigcommerce` 1.1.3 (singer-io)",
    "",
    "Installed in its own virtualenv (`benchmarks/.peer-venv`, with its pins `requests==2.31.0`",
    "and `singer-python==5.4.1`), extracting orders from the same emulator, limits off.",
    "",
    "**How it was pointed at the emulator.** It has no base-URL setting: `Bigcommerce.base_url`",
    "is a class attribute fixed to `https://api.bigcommerce.com/stores/`. The launcher",
    "`benchmarks/suite/peer_launcher.py` sets that one attribute to the emulator's URL, then",
    "calls the tap's own `main()`; its code, requests, paging, concurrency and pacing are",
    "unchanged. Ours ran with only `orders` selected (its defaults otherwise: coupons when used,",
    "archived orders included). Per 1,000 orders = per 1,000 orders our tap extracted.",
    "",
]

PEER_DEFECTS = [
    "- *Dropped on a transform error*: the peer's schema types",
    "  `products[].product_options[].value` as a number; BigCommerce documents it as a string",
    "  (an option value's id in its example, free text for text fields, a JSON blob for file",
    "  uploads). The emulator sends choice options' ids as text (`'69'`, as in the spec's",
    "  example), which the peer's transform turns into numbers; an order with a text or",
    '  file-upload option fails its transform: singer-python logs "Handled exception", drops the',
    "  record and moves its bookmark on. The generated stores have choice options only.",
    "- *Archived, never listed*: BigCommerce leaves archived orders out of the default list; the",
    "  peer never asks for them (`is_deleted=true`). Incomplete orders (status 0) are left out",
    "  by both taps by default.",
    "- *Line items truncated*: the peer reads `/orders/{id}/products` once, without paging, so",
    "  it keeps BigCommerce's default page of 50; only orders it did not drop can show this.",
    "- *Multi-currency fields dropped*: its schema has no `store_default_currency_code` nor",
    "  `store_default_to_transactional_exchange_rate`, so the Transformer removes them from every",
    "  order; the loss matters for orders in another currency than the store's (EUR, GBP, CAD,",
    "  JPY orders in these stores), whose amounts can then no longer be converted.",
    "- *Money*: its floats print as the same decimal text as our exact numbers for these",
    "  amounts, so no difference shows in the records; sums of them in binary floating point",
    "  are another matter.",
    "",
]

PROJECTION = (
    "Hours of quota a 1,000,000-order backfill needs, from the requests per order {source}: "
    "requests / quota x 30 s, every request of every window used (a lower bound: the quota "
    "runs above show how close each tap gets). BigCommerce plans: 150 requests per 30 s "
    "(Standard, Plus) and 450 (Pro). The peer's list page shrinks with the quota "
    "(`min(50, quota / 3 - 5)`: 45 at 150) and it waits for the next window whenever fewer "
    "than 3 x page requests are left, so its real time is longer than its line."
)

PROJECTION_ROWS = (
    ("ours, orders stream (default: coupons when used)", "ours"),
    ("ours, orders stream, `order_coupons: never`", "ours_without_coupons"),
    ("ours, the whole store (every stream, proportional)", "ours_whole_store"),
)
PEER_PROJECTION = "peer 1.1.3, orders (3 requests per order + list pages)"

METHOD = [
    "## How it is measured",
    "",
    "- Each stage is its own process over files (`tap-bigcommerce > tap.singer`,",
    "  `map-bigcommerce-iterable < tap.singer > mapped.singer`, `target-iterable <",
    "  mapped.singer`), then the three piped. CPU and peak RSS come from `wait4` on each stage,",
    "  started from a small launcher (`benchmarks/suite/child_usage.py`) so that no stage",
    "  inherits the driver's peak RSS; the emulators (`sandbox serve`) run in their own process",
    "  and are never charged to a stage.",
    "- Request counts come from the emulators' request logs (`/_sandbox/requests`); the quota",
    "  runs poll them every 0.1 s to find when requests started and stopped.",
    "- Every run is a first, full sync: a fresh mapper store and an empty Iterable project.",
    "- The tap runs with its defaults (every stream, archived orders included, coupons when",
    "  used); for the CPU runs the target's own rate limits are lifted as well.",
    "",
]
