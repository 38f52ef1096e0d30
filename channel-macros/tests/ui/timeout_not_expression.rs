use junction::{select, unbounded};

fn main() {
    let (_s, r) = unbounded::<i32>();
    select! {
        recv(r) -> msg => println!("{msg:?}"),
        default(1 second) => println!("timed out"),
    }
}
