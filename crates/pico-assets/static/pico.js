// Runs before the Bootstrap Italia bundle. Its video.js would otherwise inject inline <style>
// elements, which the Content-Security-Policy forbids; the player's styles are in the CSS.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
