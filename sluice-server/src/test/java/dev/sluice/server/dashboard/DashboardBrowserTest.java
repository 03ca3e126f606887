package dev.sluice.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in headless Chromium against a real daemon releasing real app processes under
 * steady load: logging in, a canary seen progressing live, Abort, a flag edit seen by the evaluate
 * box, what a viewer may (not) do, phone width and dark mode. Saves the screenshots that
 * docs/screenshots and the README show.
 *
 * <p>One daemon, one browser and one load for the class (starting them is most of the time); each
 * test logs in afresh and brings about the release state it needs, so they pass in any order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String FLAGS =
      """
      {"flags": {
        "new-checkout": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {"fractional": [["on", 0], ["off", 100]]},
          "metadata": {"owner": "team-checkout", "expires": "2031-12-31"}
        },
        "banner": {
          "state": "DISABLED",
          "variants": {"spring": "Spring sale", "none": ""},
          "defaultVariant": "none",
          "metadata": {"owner": "growth", "expires": "2020-01-31"}
        },
        "search-v2": {
          "state": "ENABLED",
          "variants": {"classic": "classic", "vector": "vector"},
          "defaultVariant": "classic",
          "targeting": {"if": [{"ends_with": [{"var": "email"}, "@example.com"]}, "vector", null]},
          "metadata": {"owner": "team-search"}
        }
      }}
      """;

  @TempDir static Path dir;

  private final AtomicInteger versions = new AtomicInteger(1);
  private TestDaemon sluice;
  private Load load;
  private Browser browser;
  private String operator;
  private String viewer;

  @BeforeAll
  void start() throws Exception {
    Browser.assumeInstalled();
    sluice = TestDaemon.start(dir, 2);
    sluice.deploy("v1");
    await()
        .atMost(WAIT)
        .until(() -> sluice.status().path("stable").path("version").asText().equals("v1"));
    load = new Load(sluice.shop(), Duration.ofMillis(20), 20_000, Duration.ofMinutes(4));
    operator = sluice.token("ops", "operator");
    viewer = sluice.token("watcher", "viewer");
    sluice.importFlags(FLAGS);
    browser = Browser.start(dir.resolve("chromium"));
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (load != null) {
      load.close();
    }
    if (sluice != null) {
      sluice.close();
    }
  }

  @AfterEach
  void noScriptErrors() {
    if (browser != null) {
      assertThat(browser.consoleErrors()).as("errors in the browser's console").isEmpty();
    }
  }

  private static Path screenshots() {
    String base = System.getProperty("basedir", System.getProperty("user.dir"));
    return Path.of(base).toAbsolutePath().getParent().resolve("docs/screenshots");
  }

  private void login(String token) {
    browser.driver.manage().deleteAllCookies();
    browser.driver.get(sluice.url() + "/");
    await().atMost(WAIT).until(() -> browser.driver.getCurrentUrl().contains("/ui/login"));
    browser.driver.findElement(By.id("token")).sendKeys(token);
    browser.driver.findElement(By.id("login-submit")).click();
    await().atMost(WAIT).until(() -> browser.driver.getCurrentUrl().equals(sluice.url() + "/"));
    await().atMost(WAIT).until(() -> !browser.driver.findElements(By.id("who")).isEmpty());
  }

  /** Clicks an element of a page that redraws itself live: again if it was redrawn meanwhile. */
  private void click(String css) {
    await()
        .atMost(WAIT)
        .ignoreException(StaleElementReferenceException.class)
        .until(
            () -> {
              browser.driver.findElement(By.cssSelector(css)).click();
              return true;
            });
  }

  private List<WebElement> all(String css) {
    return browser.driver.findElements(By.cssSelector(css));
  }

  /** The text of the first element matching {@code css}, "" when there is none (read in one go). */
  private String text(String css) {
    Object t =
        browser.driver.executeScript(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css);
    return t == null ? "" : t.toString().trim();
  }

  private String attribute(String css, String name) {
    Object t =
        browser.driver.executeScript(
            "const e = document.querySelector(arguments[0]);"
                + " return e ? e.getAttribute(arguments[1]) : null;",
            css,
            name);
    return t == null ? "" : t.toString();
  }

  /** The weight a version has on the page's traffic bar, or -1 when it has no segment. */
  private int barWeight(String version) {
    String w = attribute(".bar .seg[data-version='" + version + "']", "data-weight");
    return w.isEmpty() ? -1 : Integer.parseInt(w);
  }

  private int chartPoints() {
    String p = attribute("#charts", "data-points");
    return p.isEmpty() ? 0 : Integer.parseInt(p);
  }

  private String newVersion() {
    return "v" + versions.incrementAndGet();
  }

  /** A canary of a new version serving traffic, whatever state the app was in. */
  private String canaryInProgress() throws Exception {
    String v = newVersion();
    sluice.deploy(v);
    await().atMost(WAIT).until(() -> sluice.status().path("weights").path(v).asInt(0) > 0);
    return v;
  }

  @Test
  void anOperatorLogsInAndWatchesACanaryProgressLiveWithTheChartsUpdating() throws Exception {
    login(operator);
    String stable = sluice.status().path("stable").path("version").asText();
    await().atMost(WAIT).until(() -> !all(".card[data-app='shop']").isEmpty());
    assertThat(text(".card[data-app='shop'] .pill")).isNotEmpty();

    String canary = newVersion();
    sluice.deploy(canary);
    click(".card[data-app='shop'] h2");
    await().atMost(WAIT).until(() -> browser.driver.getCurrentUrl().endsWith("/ui/apps/shop"));
    int pointsAtStart = chartPoints();

    // The canary's steps happen while the page is open: 20 %, a 3 s pause, then 40 % until
    // someone promotes it. The page is never reloaded; what it shows comes over its stream.
    await().atMost(WAIT).until(() -> barWeight(canary) == 20);
    assertThat(barWeight(stable)).isEqualTo(80);
    await().atMost(WAIT).until(() -> barWeight(canary) == 40);
    assertThat(barWeight(stable)).isEqualTo(60);
    await()
        .atMost(WAIT)
        .until(() -> text("#steps li[aria-current='step']").equals("pause until promoted"));
    assertThat(all("#steps li[data-state='done']")).hasSize(3);
    assertThat(text("#health .pill")).isEqualTo("Paused");
    await().atMost(WAIT).until(() -> text("#timeline").contains("step 3: setWeight 40"));

    // The charts keep growing, and the canary's line appears beside the stable one.
    await()
        .atMost(WAIT)
        .until(
            () ->
                chartPoints() >= pointsAtStart + 5
                    && attribute("#charts", "data-served").contains(canary));
    assertThat(all("#chart-rps .uplot")).hasSize(1);
    await().atMost(WAIT).until(() -> !all("#measurement-table tbody tr").isEmpty());
    assertThat(text("#measurement-table tbody tr")).containsPattern("background #\\d+");

    browser.screenshot(screenshots().resolve("release.png"));
    browser.fullPageScreenshot(screenshots().resolve("release-full.png"));
    browser.driver.get(sluice.url() + "/");
    await().atMost(WAIT).until(() -> barWeight(canary) == 40);
    browser.screenshot(screenshots().resolve("overview.png"));
  }

  @Test
  void abortOnTheReleasePageSendsAllTrafficBackToTheStableVersion() throws Exception {
    String canary = canaryInProgress();
    String stable = sluice.status().path("stable").path("version").asText();
    login(operator);
    browser.driver.get(sluice.url() + "/ui/apps/shop");
    await().atMost(WAIT).until(() -> barWeight(canary) > 0);

    click("#abort");
    await().atMost(WAIT).until(() -> !all("dialog#confirm[open]").isEmpty());
    assertThat(text("dialog#confirm")).contains("All traffic returns to " + stable);
    click("#confirm-ok");

    await().atMost(WAIT).until(() -> barWeight(stable) == 100);
    assertThat(barWeight(canary)).isEqualTo(-1);
    await().atMost(WAIT).until(() -> text("#health .pill").equals("Last release aborted"));
    await().atMost(WAIT).until(() -> text("#timeline").contains("release aborted"));
    await().atMost(WAIT).until(() -> text("#history-table tbody tr").contains("Aborted"));
    JsonNode status = sluice.status();
    assertThat(status.path("weights").toString()).isEqualTo("{\"" + stable + "\":100}");
    assertThat(status.path("release").path("status").asText()).isEqualTo("Aborted");
  }

  @Test
  void anExperimentsArmsAndTheirMetricsAgainstTheBaselineShowOnTheReleasePage() throws Exception {
    String stable = sluice.status().path("stable").path("version").asText();
    String challenger = newVersion();
    sluice.useStrategy(
        """
        experiment:
          variants: [{version: %s, weight: 50}, {version: %s, weight: 50}]
          duration: 10m
          analysis:
            interval: 1s
            window: 3s
            minRequests: 5
            metrics:
              - {name: p50, builtin: latency_p50}
        """
            .formatted(stable, challenger));
    try {
      sluice.deploy(challenger);
      login(viewer);
      browser.driver.get(sluice.url() + "/ui/apps/shop");
      await().atMost(WAIT).until(() -> all("#experiment-arms tbody tr").size() == 2);
      assertThat(text("#experiment-arms tr[data-version='" + stable + "']")).contains("baseline");
      // the first measurement: the challenger's p50 against the baseline's, with the judge's p
      await().atMost(WAIT).until(() -> !all("#experiment-metrics tbody tr").isEmpty());
      String row = text("#experiment-metrics tbody tr");
      assertThat(row).contains(challenger, "p50").containsPattern("at 98 %");
      JsonNode arm = sluice.status().path("release").path("experiment").path("arms").get(1);
      assertThat(arm.path("version").asText()).isEqualTo(challenger);
      assertThat(arm.path("metrics").get(0).path("p").isNumber()).isTrue();
      assertThat(text("#experiment-outcome")).isNotEmpty();
      browser.fullPageScreenshot(screenshots().resolve("experiment.png"));
    } finally {
      sluice.useStrategy(TestDaemon.CANARY);
      sluice.api("POST", "/api/v1/apps/shop/abort", "{}");
    }
  }

  @Test
  void editingAFlagsWeightsChangesWhatTheEvaluateBoxSays() throws Exception {
    login(operator);
    browser.driver.get(sluice.url() + "/ui/flags");
    await().atMost(WAIT).until(() -> !all("#flags tr[data-key='new-checkout']").isEmpty());
    assertThat(text("#flags tr[data-key='banner']")).contains("expired");
    click("#flags tr[data-key='new-checkout']");
    await().atMost(WAIT).until(() -> !all("#ev-context").isEmpty());

    WebElement context = browser.driver.findElement(By.id("ev-context"));
    context.clear();
    context.sendKeys("{\"targetingKey\": \"user-1\"}");
    browser.driver.findElement(By.id("ev-run")).click();
    await().atMost(WAIT).until(() -> "off".equals(evaluated()));
    assertThat(text("#ev-why")).contains("percentage rollout");

    java.nio.file.Files.writeString(
        Path.of("/tmp/flags-page.html"), browser.driver.getPageSource());
    browser.screenshot(Path.of("/tmp/flags-debug.png"));
    setWeight("on", "100");
    setWeight("off", "0");
    browser.driver.findElement(By.id("ed-weights-save")).click();
    await().atMost(WAIT).until(() -> "on".equals(evaluated()));
    assertThat(text("#ev-result")).contains("SPLIT");
    await().atMost(WAIT).until(() -> all("#ed-history li").size() == 2);
    assertThat(text("#ed-history li")).contains("set-weights").contains("ops");
    assertThat(text("#flags tr[data-key='new-checkout']")).contains("on 100 %");

    // Targeting is checked as it is typed, before it can be saved.
    WebElement targeting = browser.driver.findElement(By.id("ed-targeting"));
    targeting.clear();
    targeting.sendKeys("{\"if\": [true, \"maybe\", null]");
    await().atMost(WAIT).until(() -> text("#ed-targeting-check").startsWith("Not JSON"));
    targeting.sendKeys("}");
    await().atMost(WAIT).until(() -> text("#ed-targeting-check").startsWith("Not valid"));
    assertThat(text("#ed-targeting-check")).contains("maybe");
    assertThat(browser.driver.findElement(By.id("ed-targeting-save")).isEnabled()).isFalse();

    browser.driver.navigate().refresh();
    await().atMost(WAIT).until(() -> !all("#ev-context").isEmpty());
    browser.driver.findElement(By.id("ev-run")).click();
    await().atMost(WAIT).until(() -> "on".equals(evaluated()));
    browser.driver.manage().window().setSize(new Dimension(1280, 1180));
    try {
      browser.screenshot(screenshots().resolve("flags.png"));
    } finally {
      browser.driver.manage().window().setSize(new Dimension(1280, 800));
    }
  }

  private String evaluated() {
    return attribute("#ev-result", "data-variant");
  }

  private void setWeight(String variant, String weight) {
    WebElement input =
        browser.driver.findElement(
            By.cssSelector("#ed-weights input[data-variant='" + variant + "']"));
    input.clear();
    input.sendKeys(weight);
  }

  @Test
  void aViewerSeesNoButtonsThatChangeAnythingAndItsForgedPostsAreRefused() throws Exception {
    canaryInProgress();
    JsonNode before = sluice.status();
    login(viewer);
    assertThat(text("#role")).isEqualTo("viewer");
    browser.driver.get(sluice.url() + "/ui/apps/shop");
    await().atMost(WAIT).until(() -> !text("#summary").isEmpty() && !all("#steps li").isEmpty());
    assertThat(all("#actions button")).isEmpty();
    assertThat(all("main button")).isEmpty();

    browser.driver.get(sluice.url() + "/ui/flags?flag=new-checkout");
    await().atMost(WAIT).until(() -> !all("#ev-run").isEmpty());
    assertThat(all("#ed-state-toggle, #ed-default-save, #ed-weights-save, #ed-targeting-save"))
        .isEmpty();
    assertThat(all("#ed-targeting-view")).hasSize(1);
    browser.driver.findElement(By.id("ev-run")).click();
    await().atMost(WAIT).until(() -> !evaluated().isEmpty());

    // A POST made by hand from the page, with and without the page's CSRF token.
    String forged =
        """
        const done = arguments[arguments.length - 1];
        (async () => {
          const s = await (await fetch('/ui/api/session')).json();
          const post = (path, csrf) => fetch(path, {method: 'POST', headers: Object.assign(
              {'Content-Type': 'application/json'}, csrf ? {'X-CSRF-Token': s.csrf} : {}),
              body: JSON.stringify({full: true, weights: {on: 50, off: 50}})});
          const out = [];
          for (const p of ['/ui/api/apps/shop/abort', '/ui/api/apps/shop/promote',
                           '/ui/api/flags/new-checkout/weights']) {
            out.push((await post(p, true)).status, (await post(p, false)).status);
          }
          done(out);
        })();
        """;
    @SuppressWarnings("unchecked")
    List<Long> statuses = (List<Long>) browser.driver.executeAsyncScript(forged);
    assertThat(statuses).containsOnly(403L).hasSize(6);
    assertThat(browser.consoleErrors())
        .as("the browser reports the refused calls, and nothing else")
        .hasSize(6)
        .allMatch(e -> e.contains("403"));
    JsonNode after = sluice.status();
    assertThat(after.path("release").path("revision"))
        .isEqualTo(before.path("release").path("revision"));
    assertThat(after.path("release").path("status").asText()).isIn("Progressing", "Paused");
  }

  @Test
  void thePagesFitAPhoneScreenAndReadInTheDark() throws Exception {
    String canary = canaryInProgress();
    login(operator);
    browser.emulateScreen(390, 844, true);
    try {
      for (String page : List.of("/", "/ui/apps/shop", "/ui/flags?flag=new-checkout")) {
        browser.driver.get(sluice.url() + page);
        await().atMost(WAIT).until(() -> !all("#who").isEmpty());
        await().atMost(WAIT).until(() -> !text("main").contains("Loading…"));
        Map<?, ?> size =
            (Map<?, ?>)
                browser.driver.executeScript(
                    "return {page: document.documentElement.scrollWidth, view: window.innerWidth};");
        assertThat(((Number) size.get("page")).intValue())
            .as("the page's width on a 390 px screen: " + page)
            .isLessThanOrEqualTo(((Number) size.get("view")).intValue());
      }
      browser.driver.get(sluice.url() + "/ui/apps/shop");
      await()
          .atMost(WAIT)
          .until(() -> !all("#chart-rps .uplot").isEmpty() && barWeight(canary) > 0);
      browser.screenshot(screenshots().resolve("release-phone.png"));
    } finally {
      browser.clearScreenEmulation();
    }

    browser.emulateColourScheme("dark");
    try {
      browser.driver.get(sluice.url() + "/ui/apps/shop");
      await()
          .atMost(WAIT)
          .until(
              () ->
                  !all("#chart-rps .uplot").isEmpty()
                      && attribute("#charts", "data-served").contains(canary));
      double background = luminance("getComputedStyle(document.body).backgroundColor");
      double text = luminance("getComputedStyle(document.body).color");
      assertThat(background).isLessThan(0.05);
      // WCAG 2 contrast of at least 7:1 between the text and its background.
      assertThat((text + 0.05) / (background + 0.05)).isGreaterThan(7);
      browser.screenshot(screenshots().resolve("release-dark.png"));
    } finally {
      browser.emulateColourScheme("light");
    }
  }

  /** The relative luminance (WCAG 2) of a CSS colour the page computes. */
  private double luminance(String colourExpression) {
    String rgb = (String) browser.driver.executeScript("return " + colourExpression + ";");
    String[] parts = rgb.replaceAll("[^0-9,]", "").split(",");
    double[] c = new double[3];
    for (int i = 0; i < 3; i++) {
      double v = Integer.parseInt(parts[i]) / 255.0;
      c[i] = v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
}
