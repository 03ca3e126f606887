package dev.sluice.server.dashboard;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Headless Chromium from the system's packages, driven by Selenium through the system's
 * ChromeDriver, so nothing is downloaded: Selenium Manager is never asked because both paths are
 * given.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  final ChromeDriver driver;

  private Browser(ChromeDriver driver) {
    this.driver = driver;
  }

  /**
   * Fails in CI (which installs Chromium) and skips elsewhere when Chromium or ChromeDriver is
   * missing, saying how to install them.
   */
  static void assumeInstalled() {
    if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
      return;
    }
    String why =
        "the dashboard's browser tests need "
            + CHROMIUM
            + " and "
            + CHROMEDRIVER
            + ": apt-get install chromium chromium-driver (.ci/run installs them)";
    if (System.getenv("CI") != null) {
      fail(why);
    }
    Assumptions.abort(why);
  }

  /** A browser with a fresh profile in {@code profile}, its window 1280x800. */
  static Browser start(Path profile) throws IOException {
    Files.createDirectories(profile);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--force-device-scale-factor=1",
        "--window-size=1280,800",
        "--user-data-dir=" + profile.toAbsolutePath());
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(1280, 800));
    return new Browser(driver);
  }

  /** Saves what the page shows now as a PNG (replacing an older one). */
  void screenshot(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, file, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Saves the whole page, also what is below the window, as a PNG. */
  void fullPageScreenshot(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Number width = (Number) driver.executeScript("return document.documentElement.scrollWidth;");
    Number height = (Number) driver.executeScript("return document.documentElement.scrollHeight;");
    Map<String, Object> shot =
        driver.executeCdpCommand(
            "Page.captureScreenshot",
            Map.of(
                "format",
                "png",
                "captureBeyondViewport",
                true,
                "clip",
                Map.of(
                    "x",
                    0,
                    "y",
                    0,
                    "width",
                    width.intValue(),
                    "height",
                    height.intValue(),
                    "scale",
                    1)));
    Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
  }

  /** Makes the page think it is on a phone (or back on a desktop with null). */
  void emulateScreen(int width, int height, boolean mobile) {
    driver.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
  }

  void clearScreenEmulation() {
    driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
  }

  /** Asks the page for the dark (or light) colour scheme. */
  void emulateColourScheme(String scheme) {
    driver.executeCdpCommand(
        "Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
  }

  /** The console's errors since the last call: script failures show up here. */
  List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .toList();
  }

  @Override
  public void close() {
    driver.quit();
  }
}
