declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    ASSETS: Fetcher;
    ENVIRONMENT: string;
    PII_KEY: string;
    BLIND_INDEX_KEY: string;
    ADMIN_BOOTSTRAP_KEY: string;
    PUBLIC_RATE_LIMIT_PERIOD: string;
    PUBLIC_RATE_LIMITER: RateLimit;
    MATERIALS: R2Bucket;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}

declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../src/index");
  }
}
