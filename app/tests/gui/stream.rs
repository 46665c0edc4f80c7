//! A stream job in the window: its row by the video's name, its details with
//! the variant and the segment count, and the toast "video.mp4 downloaded".

use crate::support::{World, shows, step_until, wait_loaded};
use egui_kittest::kittest::Queryable;
use haul::jobs_add::{self, NewDownload};
use haul_core::model::RemoteUrl;
use haul_tests::hls::{Media, segments, serve_media};
use haul_tests::server::Route;

#[test]
fn a_stream_job_shows_its_variant_and_segments_and_toasts_its_video() {
    let world = World::new();
    let media = Media { init: Some(b"init".repeat(30)), ..Default::default() };
    serve_media(&world.server, "/hls/720", &segments(6, 5000, 51), &media);
    let master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720\n720/index.m3u8\n";
    world.server.set_route("/hls/video.m3u8", Route::new(master.as_bytes().to_vec()).content_type("audio/mpegurl"));
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    let url = RemoteUrl::parse(&world.server.url("/hls/video.m3u8")).expect("url");
    let download = NewDownload { urls: vec![url], dir: world.downloads(), auto_complete: true, ..Default::default() };
    let job = world.block_on(async {
        let planned = jobs_add::plan(download).await;
        let job = jobs_add::create_job(&world.other, &planned).await.expect("job");
        world.other.resume(job).await.expect("resume");
        job
    });
    step_until(&mut window, "the toast", |w| shows(w, "video.mp4 downloaded"));
    assert_eq!(world.get(job).display_name, "video.mp4");
    window.get_by_label("video.mp4").click();
    window.run();
    let about = "Stream video.mp4: 1280x720, 2.5 Mbit/s, 6 segments (24 s)";
    step_until(&mut window, "the details", |w| shows(w, about));
    assert!(world.downloads().join("video.mp4").is_file());
}
