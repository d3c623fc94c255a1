//! The machine the figures come from: the CPU's model, its cores, and whether it has the
//! instructions AES-GCM runs fast with (AES-NI, PCLMULQDQ).

/// The CPU's model name, from /proc/cpuinfo where there is one.
pub fn cpu_name() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let model = info
        .lines()
        .find(|l| l.starts_with("model name"))?
        .split(':')
        .nth(1)?
        .trim()
        .to_string();
    let cores = info.lines().filter(|l| l.starts_with("processor")).count();
    let aes = info.contains(" aes ");
    let clmul = info.contains(" pclmulqdq ");
    Some(format!(
        "{model}, {cores} cores{}{}",
        if aes { ", AES-NI" } else { "" },
        if clmul { ", PCLMULQDQ" } else { "" }
    ))
}
