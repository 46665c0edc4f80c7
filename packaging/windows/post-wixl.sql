-- What haul.wxs needs and wixl 0.101 cannot express; build-msi.sh runs these with msibuild -q,
-- one statement at a time, after wixl.
-- 1. The Start-menu shortcut's AppUserModelID (Windows 7+, MSI 5.0): toasts and taskbar say "Haul".
CREATE TABLE `MsiShortcutProperty` (`MsiShortcutProperty` CHAR(72) NOT NULL, `Shortcut_` CHAR(72) NOT NULL, `PropertyKey` CHAR(0) NOT NULL, `PropVariantValue` CHAR(0) NOT NULL PRIMARY KEY `MsiShortcutProperty`)
INSERT INTO `MsiShortcutProperty` (`MsiShortcutProperty`, `Shortcut_`, `PropertyKey`, `PropVariantValue`) VALUES ('HaulAppUserModelID', 'HaulShortcut', 'System.AppUserModel.ID', 'Haul.Haul')
-- 2. The install folder appended to PATH ("=-": set on install, removed on uninstall; "*": the machine's).
CREATE TABLE `Environment` (`Environment` CHAR(72) NOT NULL, `Name` CHAR(255) NOT NULL LOCALIZABLE, `Value` CHAR(255) LOCALIZABLE, `Component_` CHAR(72) NOT NULL PRIMARY KEY `Environment`)
INSERT INTO `Environment` (`Environment`, `Name`, `Value`, `Component_`) VALUES ('MachinePathEntry', '=-*PATH', '[~];[INSTALLDIR]', 'MachinePath')
INSERT INTO `Environment` (`Environment`, `Name`, `Value`, `Component_`) VALUES ('UserPathEntry', '=-PATH', '[~];[INSTALLDIR]', 'UserPath')
UPDATE `Component` SET `Condition` = 'ALLUSERS=1' WHERE `Component` = 'MachinePath'
UPDATE `Component` SET `Condition` = 'NOT ALLUSERS=1' WHERE `Component` = 'UserPath'
INSERT INTO `InstallExecuteSequence` (`Action`, `Condition`, `Sequence`) VALUES ('RemoveEnvironmentStrings', '', 3300)
INSERT INTO `InstallExecuteSequence` (`Action`, `Condition`, `Sequence`) VALUES ('WriteEnvironmentStrings', '', 5200)
-- 3. The native messaging host's keys under HKMU (-1: HKLM per machine, HKCU per user); wixl writes 4 for HKMU.
UPDATE `Registry` SET `Root` = -1 WHERE `Component_` = 'NativeMessaging'
